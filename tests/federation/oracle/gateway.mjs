// Run Apollo's own gateway (@apollo/gateway behind @apollo/server's standalone server) on a supergraph file:
// the oracle the Python gateway is compared against.
//
// Usage: node gateway.mjs <supergraph-file> [port]
// Serves POST / (any path) on 127.0.0.1:<port>; port 0 (the default) picks a free one. Prints one line
// `READY <url>` on stdout once it listens, so a test runner knows where and when to send queries.
// Stack traces are left out of error responses and introspection is on, so responses are comparable.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway } from '@apollo/gateway';

const [file, portArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node gateway.mjs <supergraph-file> [port]\n');
  process.exit(2);
}

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(file, 'utf8') });
const server = new ApolloServer({ gateway, introspection: true, includeStacktraceInErrorResponses: false });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(portArg || 0), host: '127.0.0.1' },
});
process.stdout.write(`READY ${url}\n`);

// Stop cleanly on SIGTERM/SIGINT so a test run never leaves a process behind.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.stop().finally(() => process.exit(0));
  });
}
