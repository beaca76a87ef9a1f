import type { Command } from "commander";

/** Registers the `kgrca cypher` command(s). */
export function register(_program: Command): void {
  // not built yet
}
