// Print Apollo's query plans (from @apollo/query-planner) as JSON, for the fetch-count comparison test.
// Usage: node apollo_plan.mjs <node_modules dir> <jobs.json>
//   jobs.json: [{"supergraph": "<file>", "query": "<text>"}, ...]
// Output: a JSON list, one {"fetches": [{service, path?}]} or {"error": "..."} per job.
// Reads modules from the given node_modules (the oracle project's), so this folder needs no npm install.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [modules, jobsFile] = process.argv.slice(2);
const require = createRequire(join(resolve(modules), 'noop.js'));
const { Supergraph, operationFromDocument } = require('@apollo/federation-internals');
const { QueryPlanner } = require('@apollo/query-planner');
const { parse } = require('graphql');

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

const planners = new Map();
const results = JSON.parse(readFileSync(jobsFile, 'utf8')).map(({ supergraph, query }) => {
  try {
    if (!planners.has(supergraph)) {
      const built = Supergraph.build(readFileSync(supergraph, 'utf8'));
      planners.set(supergraph, { built, planner: new QueryPlanner(built) });
    }
    const { built, planner } = planners.get(supergraph);
    const operation = operationFromDocument(built.schema, parse(query), {});
    return { fetches: fetches(planner.buildQueryPlan(operation).node) };
  } catch (error) {
    return { error: String(error && error.message ? error.message : error) };
  }
});
process.stdout.write(JSON.stringify(results));
