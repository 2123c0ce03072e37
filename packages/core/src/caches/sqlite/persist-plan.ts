import { seqRuns, type Drained, type MemoryBuffer, type SeqRange } from './memory-buffer'
import type { InFlightBatches } from './in-flight-batches'

/** What a persist tick (or a failed send) moves from memory to the file. */
export interface Move {
  /** Events that stay in memory, written claimed by this cache (claim = sequence number). */
  claimed: Drained
  /** Runs of sequence numbers of events written earlier, now leaving memory: their rows become pending. */
  release: SeqRange[]
  /** Events leaving memory without rows: inserted pending. */
  pending: Drained
  /** Everything taken out of the buffer (`release`'s events and `pending`), to put back if the write fails. */
  drained: Drained
  /** Every event still in memory up to this sequence number has a row once the write commits. */
  upTo: number
}

/**
 * Composes a move. Events in memory with a sequence number up to `writtenUpTo` have rows
 * already (they are the oldest). Batches on the wire are written claimed either way, so no
 * other process sends them too. The buffer is written claimed as well when `keep` (this
 * cache is delivering: it sends them from memory in a moment, with nothing read back);
 * otherwise it is emptied into the file, for any sender, oldest rows first.
 */
export function composeMove (buffer: MemoryBuffer, inFlight: InFlightBatches, writtenUpTo: number, keep: boolean): Move {
  const upTo = buffer.seq
  const claimed = inFlight.copyAfter(writtenUpTo)
  if (keep) {
    return { claimed: merge(claimed, buffer.copyAfter(writtenUpTo)), release: [], pending: empty(), drained: empty(), upTo }
  }
  const drained = buffer.drain()
  let written = 0
  while (written < drained.seqs.length && (drained.seqs[written] as number) <= writtenUpTo) written++
  const release = seqRuns(drained.seqs, 0, written)
  const pending = empty()
  append(pending, drained, written)
  return { claimed, release, pending, drained, upTo }
}

function empty (): Drained {
  return { events: [], times: [], sizes: [], seqs: [] }
}

/**
 * The events of two lists (each in order) in the order of their sequence numbers: waiting
 * events can be older than some on the wire when a batch came back while another was out.
 */
function merge (a: Drained, b: Drained): Drained {
  if (b.seqs.length === 0) return a
  if (a.seqs.length === 0 || (a.seqs[a.seqs.length - 1] as number) < (b.seqs[0] as number)) {
    append(a, b, 0)
    return a
  }
  const merged = empty()
  let i = 0
  let j = 0
  while (i < a.seqs.length || j < b.seqs.length) {
    const fromA = j >= b.seqs.length || (i < a.seqs.length && (a.seqs[i] as number) < (b.seqs[j] as number))
    const source = fromA ? a : b
    const k = fromA ? i++ : j++
    merged.events.push(source.events[k] as string)
    merged.times.push(source.times[k] as number)
    merged.seqs.push(source.seqs[k] as number)
  }
  return merged
}

function append (target: Drained, source: Drained, from: number): void {
  for (let i = from; i < source.events.length; i++) {
    target.events.push(source.events[i] as string)
    target.times.push(source.times[i] as number)
    target.seqs.push(source.seqs[i] as number)
  }
}
