// Smoke test of the test infrastructure itself: a real round trip through each service.
// Skips visibly unless `npm run infra:up` ran and tests/infra/.run/env.sh was sourced.
import { Kafka, logLevel } from "kafkajs";
import neo4j from "neo4j-driver";
import { expect, it } from "vitest";
import { describeIfKafka, describeIfNeo4j, kafkaBrokers, neo4jEnv, serviceCtl } from "./services.js";

describeIfKafka("test infra: Kafka", () => {
  it("produces to an auto-created topic and consumes it back in a group", async () => {
    const kafka = new Kafka({
      clientId: "infra-test",
      brokers: kafkaBrokers!.split(","),
      logLevel: logLevel.NOTHING,
    });
    const topic = `infra-test-${process.pid}-${Date.now()}`;
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: "k", value: "v1" }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${topic}-g` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = await new Promise<string | undefined>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString()) });
    });
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    expect(got).toBe("v1");
  });

  it("reports the broker as running through serviceCtl", async () => {
    const { code, output } = await serviceCtl("kafka", "status");
    expect(code, output).toBe(0);
  });
});

describeIfNeo4j("test infra: Neo4j", () => {
  it("runs CREATE and MATCH over Bolt with the test credentials", async () => {
    const { url, user, password } = neo4jEnv!;
    const driver = neo4j.driver(url, neo4j.auth.basic(user, password));
    try {
      const id = `infra-test-${process.pid}-${Date.now()}`;
      await driver.executeQuery("CREATE (:InfraTest {id: $id})", { id });
      const res = await driver.executeQuery("MATCH (n:InfraTest {id: $id}) RETURN count(n) AS c", { id });
      expect(res.records[0].get("c").toNumber()).toBe(1);
      await driver.executeQuery("MATCH (n:InfraTest {id: $id}) DELETE n", { id });
    } finally {
      await driver.close();
    }
  });
});
