import type { Command } from "commander";

/** Registers the `kgrca cleanup` command(s). */
export function register(_program: Command): void {
  // not built yet
}
