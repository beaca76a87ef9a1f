import { type Command, InvalidArgumentError } from "commander";
import type { CleanupResult } from "../../graph/index.js";
import { processCleanup } from "../../workers/index.js";
import { configOrExit, openRuntime } from "../runtime.js";
import { envOverrides, storeFlags } from "./ops.js";

const days = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError("must be a whole number of days (0 keeps everything)");
  return n;
};

/** What a cleanup run deleted (or would delete), for people. */
export function formatCleanup(r: CleanupResult | { skipped: true }, retentionDays: number): string {
  if ("skipped" in r) return `retention is ${retentionDays} days: cleanup is off, nothing deleted`;
  const verb = r.dryRun ? "would delete" : "deleted";
  return [
    `${r.dryRun ? "dry run: " : ""}events older than ${new Date(r.cutoffMs).toISOString()} (${retentionDays} days)`,
    `  ${verb} ${r.events} event(s)`,
    `  ${verb} ${r.causeLinks} cause link(s)`,
    `  ${verb} ${r.incidents} incident(s)`,
    `  ${verb} ${r.anomalies} anomal${r.anomalies === 1 ? "y" : "ies"}`,
    "  topology (resources and edges) is kept",
  ].join("\n");
}

/**
 * Registers `kgrca cleanup`: retention on demand, the same job the scheduler runs (cron
 * KG_CLEANUP_CRON) but in this process, against the configured store.
 */
export function register(program: Command): void {
  storeFlags(
    program
      .command("cleanup")
      .description(
        "delete events older than the retention period, with the cause links, incidents and anomalies only they held",
      )
      .option("--dry-run", "only count what would be deleted")
      .option("--retention-days <n>", "keep this many days (default KG_RETENTION_DAYS, 7)", days)
      .option("--json", "print the result as JSON")
      .addHelpText(
        "after",
        "\nThe scheduled cleanup runs in the cleanup worker pool on KG_CLEANUP_CRON; this runs it now." +
          "\nIt deletes in batches of KG_CLEANUP_BATCH, so it can run while the pipeline is busy.",
      ),
  ).action(
    async (opts: {
      dryRun?: boolean;
      retentionDays?: number;
      json?: boolean;
      dataDir?: string;
      redisUrl?: string;
      queuePrefix?: string;
    }) => {
      const config = configOrExit(envOverrides(opts));
      const rt = await openRuntime(config, "cleanup");
      try {
        const retentionDays = opts.retentionDays ?? config.retention.days;
        const result = await processCleanup(rt.workerContext, { dryRun: !!opts.dryRun, retentionDays });
        process.stdout.write(
          `${opts.json ? JSON.stringify({ retention_days: retentionDays, ...result }) : formatCleanup(result, retentionDays)}\n`,
        );
      } finally {
        await rt.close();
      }
    },
  );
}
