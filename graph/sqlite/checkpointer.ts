import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Checkpoints the embedded store's write-ahead log from a worker thread, on its own connection:
 * copying log pages into the database file (and its fsync) then happens beside the event loop
 * instead of inside whichever commit crossed SQLite's auto-checkpoint threshold (an ingest
 * commit could take tens of milliseconds longer for it). A PASSIVE checkpoint never blocks
 * readers or the writer; what a reader still needs is copied by a later one.
 */
export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private stopped = false;

  /**
   * Checkpoints every `everyMs` when the log changed since the last look. `onError`: the thread
   * failed (the caller's connection keeps SQLite's auto-checkpoint as the safety net).
   */
  constructor(path: string, onError: (err: Error) => void, everyMs = 1_000) {
    const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sqlite, path, everyMs },
      // A checkpoint thread needs little heap; keep its share of the process's memory small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    this.worker.unref();
    this.worker.on("error", (err) => {
      if (!this.stopped) onError(err);
    });
  }

  /** Stops the thread (its connection closes; the log is left to the next opener). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.worker.terminate();
  }
}

/** The log file's size in pages, for tests and metrics. */
export function walPages(path: string): number {
  try {
    return Math.floor(statSync(`${path}-wal`).size / 4096);
  } catch {
    return 0;
  }
}

// CommonJS, run by `new Worker(..., { eval: true })`: better-sqlite3 is required by the absolute
// path the parent resolved, so it works from the sources (tests) and from dist alike.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.sqlite);
const db = new Database(workerData.path, { timeout: 0 });
db.pragma("wal_autocheckpoint = 0");
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
let seen = "";
setInterval(() => {
  let now = "";
  try { const st = statSync(workerData.path + "-wal"); now = st.size + ":" + st.mtimeMs; } catch { return; }
  if (now === seen) return;
  seen = now;
  try { checkpoint.run(); } catch (err) { if (!/busy|locked/i.test(String(err && err.message))) throw err; }
}, workerData.everyMs);
`;
