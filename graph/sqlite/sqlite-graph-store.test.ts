import { join } from "node:path";
import { tempDir } from "../../tests/helpers.js";
import { graphStoreContract } from "../graph-store.contract.js";
import { SqliteGraphStore } from "./sqlite-graph-store.js";

// The embedded store is the reference implementation of the contract: always run, on a fresh
// temp file per test.
graphStoreContract("sqlite", async () => {
  const t = tempDir("kgrca-contract-");
  const store = new SqliteGraphStore({ path: join(t.dir, "kg.sqlite") });
  await store.init();
  return {
    store,
    close: async () => {
      await store.close();
      t.remove();
    },
  };
});
