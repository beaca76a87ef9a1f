#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from "commander";
import { listReplayFiles, ReplayFileError, readReplayMessages } from "../bridge/replay/index.js";
import { parsePools } from "../queues/index.js";
import { register as registerBench } from "./commands/bench.js";
import { register as registerBridge } from "./commands/bridge.js";
import { register as registerCleanup } from "./commands/cleanup.js";
import { register as registerCypher } from "./commands/cypher.js";
import { evaluate, printEvalTable } from "./commands/eval.js";
import { register as registerOps } from "./commands/ops.js";
import { register as registerWatch } from "./commands/watch.js";
import { runApi, runWorker, startAll } from "./commands/serve.js";
import { enqueueWithProgress, waitIdle } from "./pipeline.js";
import { configOrExit, openRuntime } from "./runtime.js";
import { tuneV8 } from "./v8-tuning.js";

tuneV8();

/** Flags that mirror environment variables; a flag wins over the variable. */
const ENV_FLAGS: Array<[string, string, string]> = [
  ["--port <n>", "PORT", "API port (default 8080)"],
  ["--redis-url <url>", "REDIS_URL", "Redis URL (default redis://127.0.0.1:6379)"],
  ["--data-dir <dir>", "KG_DATA_DIR", "directory of the embedded store (default ./data)"],
  [
    "--queue-prefix <p>",
    "KG_QUEUE_PREFIX",
    "Redis key prefix, so deployments can share a Redis (default kgrca)",
  ],
  ["--log-level <level>", "LOG_LEVEL", "trace|debug|info|warn|error|silent (default info)"],
];

function withEnvFlags(cmd: Command): Command {
  for (const [flag, , help] of ENV_FLAGS) cmd.option(flag, help);
  return cmd;
}

function overridesFrom(opts: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [flag, env] of ENV_FLAGS) {
    const key = flag
      .replace(/^--/, "")
      .split(" ")[0]!
      .replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (opts[key] !== undefined) out[env] = String(opts[key]);
  }
  if (opts.concurrency !== undefined) out.KG_WORKER_CONCURRENCY = String(opts.concurrency);
  return out;
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

export function buildProgram(): Command {
  const program = new Command("kgrca")
    .description(
      "kg-rca: root cause analysis for Kubernetes over a knowledge graph of state, events, logs and alerts",
    )
    .version("0.1.0")
    .showHelpAfterError();

  withEnvFlags(
    program
      .command("start")
      .description(
        "run everything in one process: API + all worker pools (+ a private Redis when none is running)",
      )
      .option("--demo", "replay a built-in incident and print its root cause")
      .option("--concurrency <n>", "jobs in flight per pool", positiveInt),
  ).action(async (opts) => startAll(overridesFrom(opts), { demo: !!opts.demo }));

  withEnvFlags(
    program.command("api").description("run the HTTP API (RCA queries, updates, stats, metrics)"),
  ).action(async (opts) => runApi(overridesFrom(opts)));

  withEnvFlags(
    program
      .command("worker")
      .description("run worker pools; start several replicas to scale out")
      .option(
        "--pools <list>",
        "comma-separated pools: ingest,rca-score,cluster,anomaly,cleanup (default all)",
      )
      .option("--concurrency <n>", "jobs in flight per pool", positiveInt)
      .addOption(new Option("--metrics-port <n>", "serve /metrics on this port").argParser(positiveInt))
      // Internal: set by `kgrca bench --workers N` (reports to the bench over the IPC channel).
      .addOption(new Option("--bench-ipc").hideHelp()),
  ).action(async (opts) => {
    let pools: ReturnType<typeof parsePools>;
    try {
      pools = parsePools(opts.pools);
    } catch (err) {
      program.error(`kgrca worker: ${(err as Error).message}`, { exitCode: 2 });
    }
    await runWorker(overridesFrom(opts), pools!, opts.metricsPort, !!opts.benchIpc);
  });

  withEnvFlags(
    program
      .command("replay")
      .description("send scenario files or NDJSON ({topic,key,value} per line) into the ingest queue")
      .argument("<paths...>", "files or directories")
      .option("--wait", "wait until the pipeline has processed everything"),
  ).action(async (paths: string[], opts) => {
    const config = configOrExit(overridesFrom(opts));
    let files: string[];
    try {
      files = listReplayFiles(paths);
    } catch (err) {
      program.error(`kgrca replay: ${(err as Error).message}`, { exitCode: 2 });
    }
    const rt = await openRuntime(config, "replay");
    try {
      let total = 0;
      for (const f of files!) {
        let messages: ReturnType<typeof readReplayMessages>;
        try {
          messages = readReplayMessages(f);
        } catch (err) {
          if (err instanceof ReplayFileError) {
            process.stderr.write(`kgrca replay: ${err.message}\n`);
            process.exitCode = 2;
            continue;
          }
          throw err;
        }
        process.stderr.write(`${f}: ${messages.length} messages\n`);
        await enqueueWithProgress(rt.queues, messages, "replay", true);
        total += messages.length;
      }
      if (opts.wait) await waitIdle(rt.queues);
      process.stdout.write(
        `replayed ${total} messages from ${files!.length} file(s)${opts.wait ? "; pipeline idle" : ""}\n`,
      );
    } finally {
      await rt.close();
    }
  });

  withEnvFlags(
    program
      .command("eval")
      .description("replay scenarios into empty stores and measure RCA accuracy (AC@1, AC@3)")
      .argument("<paths...>", "scenario files or directories")
      .option("--json", "print one JSON object (scenarios/FORMAT.md)")
      .addOption(new Option("--baseline <name>", "also run a baseline ranking").choices(["seed"])),
  ).action(async (paths: string[], opts) => {
    try {
      const report = await evaluate(paths, {
        baseline: opts.baseline,
        overrides: overridesFrom(opts),
        onProgress: (done, total, name) => {
          process.stderr.write(`\reval ${done}/${total} ${name.padEnd(50).slice(0, 50)}`);
          if (done === total) process.stderr.write("\n");
        },
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else printEvalTable(report);
    } catch (err) {
      if (err instanceof ReplayFileError) program.error(`kgrca eval: ${err.message}`, { exitCode: 2 });
      throw err;
    }
    process.exit(0);
  });

  // Commands that live in their own modules (one per area).
  for (const register of [registerBridge, registerWatch, registerBench, registerCypher, registerCleanup, registerOps]) register(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: Error) => {
    process.stderr.write(`kgrca: ${err.message}\n`);
    process.exit(1);
  });
