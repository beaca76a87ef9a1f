import type { Command } from "commander";
import { listStatements } from "../../graph/neo4j/statements.js";

/**
 * Registers `kgrca cypher --list`: every Cypher statement the Neo4j adapter can send, as a JSON
 * array of `{name, cypher}`, so a DBA can review them (or run EXPLAIN on them) outside the code.
 * Reads no configuration and opens no connection.
 */
export function register(program: Command): void {
  program
    .command("cypher")
    .description("print the Cypher statements of the Neo4j graph store")
    .option("--list", "print every statement as a JSON array of {name, cypher}")
    .action((opts: { list?: boolean }) => {
      if (!opts.list) {
        process.stderr.write("kgrca cypher: nothing to do; use --list\n");
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`${JSON.stringify(listStatements(), null, 2)}\n`);
    });
}
