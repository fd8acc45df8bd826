// Baseline: @apollo/gateway behind @apollo/server's standalone HTTP server, configured the way the
// public federation benchmark runs it: a static supergraph SDL (no managed federation, no polling).
//
// Usage: node apollo.mjs --supergraph ../data/supergraph.graphql --port 4000 [--host 127.0.0.1]
// It prints "ready <url>" once it accepts requests, so bench/run.py can wait for it.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway } from '@apollo/gateway';

const { values } = parseArgs({
  options: {
    supergraph: { type: 'string', default: new URL('../data/supergraph.graphql', import.meta.url).pathname },
    port: { type: 'string', default: '4000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(values.supergraph, 'utf8') });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(values.port), host: values.host },
});
console.log(`ready ${url}`);

// Stop cleanly on SIGTERM/SIGINT so the harness never leaves a process behind.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.stop().finally(() => process.exit(0));
  });
}
