import cliProgress from "cli-progress";

/**
 * A progress bar on stderr for the benchmarks (`format` as cli-progress takes it). Without a
 * terminal it prints a line every `everyMs` instead of redrawing, so logs of long runs stay short.
 */
export function progressBar(format: string, everyMs = 3000): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, noTTYOutput: !process.stderr.isTTY, notTTYSchedule: everyMs },
    cliProgress.Presets.shades_classic,
  );
}
