// Oracle: compose subgraphs with the pinned @apollo/composition.
// stdin: JSON [{name, url, sdl}]; stdout: JSON {supergraphSdl, errors: [{code, message}], hints: [{code, message}]}.
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
let out;
try {
  const services = input.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
  const result = composeServices(services);
  const errs = (result.errors || []).map((e) => ({ code: e.extensions?.code ?? null, message: e.message }));
  const hints = (result.hints || []).map((h) => ({ code: h.definition?.code ?? null, message: h.message }));
  out = { supergraphSdl: result.errors ? null : result.supergraphSdl, errors: errs, hints };
} catch (e) {
  out = { supergraphSdl: null, errors: [{ code: 'ORACLE_EXCEPTION', message: String(e && e.message || e) }], hints: [] };
}
process.stdout.write(JSON.stringify(out));
