// Baseline: @graphql-hive/gateway run through its own CLI (`hive-gateway supergraph <file>`), exactly as
// its users run it, with one worker (the gateway gets one pinned core, so forking more would only
// add processes competing for it).
//
// Usage: node hive.mjs --supergraph ../data/supergraph.graphql --port 4000 [--host 127.0.0.1]
//
// This launcher only translates the harness's common flags into the CLI's and then loads the CLI in
// this same process (no child process), so the PID the harness samples for memory is the gateway.
// The CLI's entry is loaded by file URL because the package does not export its bin from "exports".
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    supergraph: { type: 'string', default: new URL('../data/supergraph.graphql', import.meta.url).pathname },
    port: { type: 'string', default: '4000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

process.argv = [
  process.argv[0],
  'hive-gateway',
  'supergraph',
  values.supergraph,
  '--port',
  values.port,
  '--host',
  values.host,
  '--fork',
  '1',
];
await import(new URL('./node_modules/@graphql-hive/gateway/dist/bin.js', import.meta.url).href);
