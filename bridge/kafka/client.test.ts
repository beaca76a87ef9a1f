import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../telemetry/index.js";
import { createKafkaClient, KafkaClientUnavailableError, type KafkaSettings } from "./client.js";

const settings = (client: "kafkajs" | "confluent"): KafkaSettings => ({
  brokers: ["127.0.0.1:1"],
  client,
  clientId: "t",
  groupId: "g",
  tls: false,
  topics: { resources: "r", topology: "t", events: "e", logs: "l", alerts: "a" },
  batchSize: 10,
  batchLingerMs: 10,
});

describe("createKafkaClient", () => {
  const confluentInstalled = (() => {
    try {
      createRequire(import.meta.url).resolve("@confluentinc/kafka-javascript");
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(confluentInstalled)(
    "KAFKA_CLIENT=confluent without the package says how to install it",
    async () => {
      const err = await createKafkaClient(settings("confluent"), createLogger("t", "silent")).catch((e) => e);
      expect(err).toBeInstanceOf(KafkaClientUnavailableError);
      expect((err as Error).message).toContain("npm install @confluentinc/kafka-javascript");
    },
  );

  it("kafkajs is the default and needs nothing else", async () => {
    const client = await createKafkaClient(settings("kafkajs"), createLogger("t", "silent"));
    expect(typeof client.consumer("g").run).toBe("function");
  });
});
