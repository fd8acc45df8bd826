// Print Apollo's query plan (from @apollo/query-planner) as JSON, for the fetch-count comparison test.
// Usage: node apollo_plan.mjs <node_modules dir> <supergraph file> <query file> [operationName]
// Reads modules from the given node_modules (the oracle project's), so this folder needs no npm install.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [modules, supergraphFile, queryFile, operationName] = process.argv.slice(2);
const require = createRequire(join(resolve(modules), 'noop.js'));
const { Supergraph, operationFromDocument } = require('@apollo/federation-internals');
const { QueryPlanner } = require('@apollo/query-planner');
const { parse } = require('graphql');

const supergraph = Supergraph.build(readFileSync(supergraphFile, 'utf8'));
const planner = new QueryPlanner(supergraph);
const operation = operationFromDocument(supergraph.schema, parse(readFileSync(queryFile, 'utf8')), {
  operationName: operationName || undefined,
});
const plan = planner.buildQueryPlan(operation);

function fetches(node) {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch': return [{ service: node.serviceName }];
    case 'Flatten': return fetches(node.node).map((f) => ({ ...f, path: node.path.join('.') }));
    case 'Sequence': case 'Parallel': return node.nodes.flatMap(fetches);
    case 'Condition': return [...fetches(node.ifClause), ...fetches(node.elseClause)];
    default: return [];
  }
}
process.stdout.write(JSON.stringify({ fetches: fetches(plan.node) }));
