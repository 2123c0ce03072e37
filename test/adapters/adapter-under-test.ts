import type { RecordingSink } from '../helpers/recording-sink'
import type { RouteControl } from './routes'

/** A running app of one adapter, serving the contract's routes on 127.0.0.1. */
export interface AppUnderTest {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  close (): Promise<void>
}

/** One adapter on one framework (and platform), as the contract suite runs it. */
export interface AdapterUnderTest {
  readonly name: string
  /** Starts an app writing to `sink`, skipping the access event of `SKIPPED_PATH`. */
  start (sink: RecordingSink, control: RouteControl): Promise<AppUnderTest>
}
