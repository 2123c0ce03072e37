/**
 * A Node built-in module loaded on first use. `require('@logstash-async/core')` should cost
 * a TCP user nothing for HTTP, TLS, zlib, UDP or crypto: those bring megabytes of RSS
 * (OpenSSL's state alone is about 4 MiB), measured with bench/.
 */
export function lazyBuiltin<T> (id: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= process.getBuiltinModule(id) as T)
}
