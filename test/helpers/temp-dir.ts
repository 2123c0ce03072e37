import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh directory under the system temp dir; `remove()` deletes it and all it holds. */
export class TempDir {
  readonly path: string

  constructor (prefix = 'logstash-async-') {
    this.path = mkdtempSync(join(tmpdir(), prefix))
  }

  /** A path inside the directory. */
  file (name: string): string {
    return join(this.path, name)
  }

  remove (): void {
    // A SQLite cache's thread may still be writing its -wal/-shm files as the test ends:
    // rmSync then meets ENOTEMPTY, and tries again.
    rmSync(this.path, { recursive: true, force: true, maxRetries: 5 })
  }
}
