// Compose a case's subgraph SDL files into a supergraph with Apollo's own composition (the oracle).
//
// Usage: node compose.mjs <subgraphs-dir> [--fed1]
//   Every <name>.graphql file in <subgraphs-dir> is one subgraph called <name>. Its URL in the supergraph is the
//   placeholder http://<name>.subgraph.invalid/graphql; tests rewrite it to the live port.
//   --fed1 composes with @apollo/federation 0.x (composeAndValidate: a join v0.1 `@core` supergraph); the
//   default is @apollo/composition 2.x (a join v0.3+/link supergraph).
// Output: the supergraph SDL on stdout. Composition errors: messages on stderr and exit code 1.
import { readdirSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'graphql';

const args = process.argv.slice(2);
const fed1 = args.includes('--fed1');
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) {
  process.stderr.write('usage: node compose.mjs <subgraphs-dir> [--fed1]\n');
  process.exit(2);
}

const services = readdirSync(dir)
  .filter((f) => f.endsWith('.graphql'))
  .sort()
  .map((f) => {
    const name = basename(f, '.graphql');
    return { name, url: `http://${name}.subgraph.invalid/graphql`, typeDefs: parse(readFileSync(join(dir, f), 'utf8')) };
  });

let errors = [];
let sdl = null;
try {
  if (fed1) {
    const require = createRequire(import.meta.url);
    const { composeAndValidate } = require('@apollo/federation');
    const result = composeAndValidate(services);
    errors = result.errors || [];
    sdl = result.supergraphSdl;
  } else {
    const { composeServices } = await import('@apollo/composition');
    const result = composeServices(services);
    errors = result.errors || [];
    sdl = result.supergraphSdl;
  }
} catch (e) {
  errors = [e];
}
if (errors.length > 0 || !sdl) {
  for (const e of errors) {
    const code = e.extensions && e.extensions.code ? `[${e.extensions.code}] ` : '';
    process.stderr.write(`${code}${e.message}\n`);
  }
  if (errors.length === 0) process.stderr.write('composition produced no supergraph\n');
  process.exit(1);
}
process.stdout.write(sdl.endsWith('\n') ? sdl : `${sdl}\n`);
