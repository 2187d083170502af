/**
 * The one CEL environment every expression is compiled in: the roots and the shape of each (so a
 * typo such as `request.header` fails at compile time), the structural limits, optional syntax
 * (`.?key`, `[?key]`), mixed-type list and map literals, and the evaluation meter. Building an environment is expensive; this module
 * does it once.
 */
import { Environment } from '@marcbachmann/cel-js';
import { meter } from './budget.ts';
import { LIMITS } from './limits.ts';

export const ROOTS = ['request', 'response', 'consumer', 'api', 'operation', 'claims', 'vars'] as const;
export type Root = (typeof ROOTS)[number];

/** Nullable fields are `dyn`: cel-js's schema types refuse null for `string`. */
const SCHEMAS = {
  request: { method: 'string', path: 'string', query: 'map<string, string>', headers: 'map<string, string>', ip: 'string', body: 'dyn' },
  response: { status: 'int', headers: 'map<string, string>', body: 'dyn' },
  consumer: { application: 'dyn', plan: 'dyn', product: 'dyn', user: 'dyn' },
  api: { id: 'string', name: 'string', version: 'dyn' },
  operation: { id: 'dyn', method: 'string', path: 'string' },
} as const;

function build(): Environment {
  const env = new Environment({
    enableOptionalTypes: true,
    // `{"user": claims.sub, "count": 1}` is the natural way to build JSON in a template.
    homogeneousAggregateLiterals: false,
    limits: {
      maxAstNodes: LIMITS.maxAstNodes,
      maxDepth: LIMITS.maxDepth,
      maxListElements: LIMITS.maxListElements,
      maxMapEntries: LIMITS.maxMapEntries,
      maxCallArguments: LIMITS.maxCallArguments,
    },
  });
  for (const [name, schema] of Object.entries(SCHEMAS)) env.registerVariable({ name, schema });
  env.registerVariable('claims', 'map<string, dyn>');
  env.registerVariable('vars', 'map<string, dyn>');
  meter(env);
  return env;
}

export const environment = build();
