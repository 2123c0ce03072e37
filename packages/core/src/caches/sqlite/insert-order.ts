import type { EventsPayload } from './event-packing'
import type { RowClaims, RowStore } from './row-store'

/** Events of one payload to insert, from index `from` on, claimed when `claims` is set. */
export interface RowSource {
  payload: EventsPayload
  from: number
  claims?: RowClaims | undefined
}

/**
 * Inserts the events of several payloads, each in ascending order of sequence numbers, in
 * the order of their sequence numbers across all of them, so that row ids follow the order
 * events were logged in, and the file, read by id, stays FIFO. With several batches on the
 * wire, a batch that came back (pending) can be older than one still in flight (claimed).
 * Runs from one payload go in as one insert. Returns the id of the last row (0: none).
 */
export function insertBySeq (store: RowStore, sources: readonly RowSource[]): number {
  const at = sources.map((source) => source.from)
  const next = (k: number): number => {
    const { seqs } = (sources[k] as RowSource).payload
    return (at[k] as number) < seqs.length ? seqs[at[k] as number] as number : Infinity
  }
  let lastId = 0
  for (;;) {
    let best = -1
    let limit = Infinity
    for (let k = 0; k < sources.length; k++) {
      const seq = next(k)
      if (seq === Infinity) continue
      if (best === -1 || seq < next(best)) {
        if (best !== -1) limit = Math.min(limit, next(best))
        best = k
      } else {
        limit = Math.min(limit, seq)
      }
    }
    if (best === -1) return lastId
    const { payload, claims } = sources[best] as RowSource
    const start = at[best] as number
    let end = start + 1
    while (end < payload.seqs.length && (payload.seqs[end] as number) < limit) end++
    lastId = Math.max(lastId, store.insert(payload.packed, payload.times, claims, start, end).lastId)
    at[best] = end
  }
}

/** Index of the first event of `payload` with a sequence number above `seq` (the payload is in order). */
export function firstAfter (payload: EventsPayload, seq: number): number {
  const { seqs } = payload
  let from = 0
  while (from < seqs.length && (seqs[from] as number) <= seq) from++
  return from
}
