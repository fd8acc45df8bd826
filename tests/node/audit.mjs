// Runs the graphql-http server audits (GraphQL-over-HTTP spec conformance) against URL and prints the
// results as a JSON array on stdout: [{id, name, status, reason?}], status one of ok | notice | warn | error.
// Usage: node audit.mjs http://127.0.0.1:4000/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
  }
  results.push(entry);
}
console.log(JSON.stringify(results));
