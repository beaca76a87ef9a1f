import { type DbSchema, lintCypherQuery } from "@neo4j-cypher/language-support";
import { describe, expect, it } from "vitest";
import { GRAPH_SCHEMA, listStatements } from "./statements.js";

// The schema the statements are checked against: our labels, relationship types, property keys
// and parameters only, so a misspelt label, property or parameter is reported.
const schema: DbSchema = {
  labels: [...GRAPH_SCHEMA.labels],
  relationshipTypes: [...GRAPH_SCHEMA.relationshipTypes],
  propertyKeys: [...GRAPH_SCHEMA.propertyKeys],
  parameters: { ...GRAPH_SCHEMA.parameters },
};

describe("kgrca cypher --list", () => {
  const statements = listStatements();

  it("names every statement once", () => {
    const names = statements.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(statements.length).toBeGreaterThan(50);
  });

  it.each(statements.map((s) => [s.name, s.cypher]))("%s passes lintCypherQuery", (_name, cypher) => {
    const { diagnostics } = lintCypherQuery(cypher, schema);
    expect(diagnostics.map((d) => `${d.severity === 1 ? "error" : "warning"}: ${d.message}`)).toEqual([]);
  });

  it("the lint does catch a wrong label, property and parameter", () => {
    const bad = lintCypherQuery("MATCH (r:Resorce {idd: $nope}) RETURN r", schema).diagnostics;
    expect(bad.length).toBeGreaterThanOrEqual(2);
  });
});
