// Oracle: compose subgraphs with the pinned @apollo/composition.
// stdin: JSON [{name, url, sdl}] -> stdout: JSON {supergraphSdl, errors: [{code, message}], hints: [{code, message}]}
// or stdin: JSON {cases: {caseName: [{name, url, sdl}]}} -> stdout: JSON {caseName: result} (one process, many sets).
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

function composeOne(subgraphs) {
  try {
    const services = subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
    const result = composeServices(services);
    const errors = (result.errors || []).map((e) => ({ code: e.extensions?.code ?? null, message: e.message }));
    const hints = (result.hints || []).map((h) => ({ code: h.definition?.code ?? null, message: h.message }));
    return { supergraphSdl: result.errors ? null : result.supergraphSdl, errors, hints };
  } catch (e) {
    return { supergraphSdl: null, errors: [{ code: 'ORACLE_EXCEPTION', message: String((e && e.message) || e) }], hints: [] };
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
let out;
if (Array.isArray(input)) {
  out = composeOne(input);
} else {
  out = {};
  for (const [name, subgraphs] of Object.entries(input.cases)) out[name] = composeOne(subgraphs);
}
process.stdout.write(JSON.stringify(out));
