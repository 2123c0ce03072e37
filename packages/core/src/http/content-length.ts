/**
 * Bytes from a `Content-Length` header value (number, string or the first of an array);
 * `undefined` for a missing, malformed or streamed (chunked) body.
 */
export function contentLength (value: unknown): number | undefined {
  const first = Array.isArray(value) ? value[0] as unknown : value
  const bytes = typeof first === 'number' ? first : typeof first === 'string' && /^\d+$/.test(first) ? Number(first) : Number.NaN
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined
}
