// Readiness / smoke probe for the test services, with the project's own clients.
//   node tests/infra/probe.mjs kafka|neo4j [--timeout SECONDS] [--smoke]
// kafka: kafkajs admin listTopics (a Metadata request); --smoke also produces one
//        message to a fresh topic (auto-created) and consumes it back in a group.
// neo4j: neo4j-driver Bolt connection with the test credentials running RETURN 1;
//        --smoke also CREATEs a node, MATCHes it and deletes it.
// Retries until the timeout; exit 0 when the service answered, 1 otherwise.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "..", "package.json"));

const args = process.argv.slice(2);
const svc = args[0];
const timeoutIdx = args.indexOf("--timeout");
const timeoutS = timeoutIdx >= 0 ? Number(args[timeoutIdx + 1]) : 60;
const smoke = args.includes("--smoke");
const deadline = Date.now() + timeoutS * 1000;

const kafkaBrokers = process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.INFRA_KAFKA_PORT ?? "19092"}`;
const neo4jUrl = process.env.NEO4J_URL ?? `bolt://127.0.0.1:${process.env.INFRA_NEO4J_BOLT_PORT ?? "17687"}`;
const neo4jUser = process.env.NEO4J_USER ?? "neo4j";
const neo4jPassword = process.env.NEO4J_PASSWORD ?? "kgrca-test-password";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function retry(what, fn) {
  let last;
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await sleep(Math.min(500 * attempt, 2000));
    }
  }
  throw new Error(`${what}: no answer within ${timeoutS}s: ${last?.message ?? last}`);
}

async function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what} timed out after ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([promise, t]);
  } finally {
    clearTimeout(timer);
  }
}

async function probeKafka() {
  const { Kafka, logLevel } = require("kafkajs");
  const kafka = new Kafka({
    clientId: "kgrca-infra-probe",
    brokers: kafkaBrokers.split(","),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 2 },
  });
  const topics = await retry("kafka listTopics", async () => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return await withTimeout(admin.listTopics(), 10_000, "listTopics");
    } finally {
      await admin.disconnect().catch(() => {});
    }
  });
  console.log(`kafka: ${kafkaBrokers} answered a metadata request (${topics.length} topics)`);
  if (!smoke) return;

  const topic = `infra-smoke-${Date.now()}`;
  const value = `hello ${new Date().toISOString()}`;
  const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 8 } });
  await producer.connect();
  await retry("kafka produce", () => producer.send({ topic, messages: [{ key: "k", value }] }));
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-group`, retry: { retries: 8 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = await withTimeout(
    new Promise((resolve) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString()) });
    }),
    60_000,
    "consume",
  );
  await consumer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  if (got !== value) throw new Error(`kafka smoke: consumed ${JSON.stringify(got)}, expected ${value}`);
  console.log(`kafka: smoke ok (produced and consumed "${value}" on ${topic} via a consumer group)`);
}

async function probeNeo4j() {
  const neo4j = require("neo4j-driver");
  const info = await retry("neo4j RETURN 1", async () => {
    const driver = neo4j.driver(neo4jUrl, neo4j.auth.basic(neo4jUser, neo4jPassword), {
      connectionTimeout: 5000,
      maxConnectionPoolSize: 1,
    });
    try {
      const res = await withTimeout(driver.executeQuery("RETURN 1 AS one"), 60_000, "RETURN 1");
      if (res.records[0].get("one").toNumber() !== 1) throw new Error("RETURN 1 gave something else");
      return res.summary.server;
    } catch (e) {
      // wrong credentials never heal: fail at once instead of retrying to the deadline
      if (String(e?.code ?? "").includes("Security.Unauthorized")) {
        console.error(`neo4j: authentication failed for user ${neo4jUser}: ${e.message}`);
        process.exit(1);
      }
      throw e;
    } finally {
      await driver.close();
    }
  });
  console.log(`neo4j: ${neo4jUrl} answered RETURN 1 (${info.agent}, Bolt ${info.protocolVersion})`);
  if (!smoke) return;

  const driver = neo4j.driver(neo4jUrl, neo4j.auth.basic(neo4jUser, neo4jPassword));
  try {
    const id = `infra-smoke-${Date.now()}`;
    await driver.executeQuery("CREATE (:InfraSmoke {id: $id})-[:PROBES]->(:InfraSmoke {id: $id + '-b'})", {
      id,
    });
    const res = await driver.executeQuery(
      "MATCH (a:InfraSmoke {id: $id})-[:PROBES]->(b) RETURN b.id AS b",
      { id },
      { routing: neo4j.routing.READ },
    );
    const b = res.records[0]?.get("b");
    await driver.executeQuery("MATCH (n:InfraSmoke) DETACH DELETE n");
    if (b !== `${id}-b`) throw new Error(`neo4j smoke: MATCH gave ${JSON.stringify(b)}`);
    console.log(`neo4j: smoke ok (CREATE + MATCH + DELETE of ${id})`);
  } finally {
    await driver.close();
  }
}

try {
  if (svc === "kafka") await probeKafka();
  else if (svc === "neo4j") await probeNeo4j();
  else {
    console.error("usage: node tests/infra/probe.mjs kafka|neo4j [--timeout S] [--smoke]");
    process.exit(2);
  }
  process.exit(0);
} catch (e) {
  console.error(`${svc}: ${e?.message ?? e}`);
  process.exit(1);
}
