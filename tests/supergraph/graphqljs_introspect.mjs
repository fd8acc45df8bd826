// Print graphql-js 16's answer to the standard introspection query for an SDL file (the oracle for our
// introspection output). Usage: node graphqljs_introspect.mjs <node_modules dir> <schema.graphql>
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [modules, sdlFile] = process.argv.slice(2);
const require = createRequire(join(resolve(modules), 'noop.js'));
const { buildSchema, graphqlSync, getIntrospectionQuery } = require('graphql');
const schema = buildSchema(readFileSync(sdlFile, 'utf8'));
const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true,
  schemaDescription: false, inputValueDeprecation: true });
process.stdout.write(JSON.stringify(graphqlSync({ schema, source: query })));
