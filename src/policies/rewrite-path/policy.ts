import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, PolicyConfigError } from '../sdk.ts';
import { template } from '../values.ts';

const schema = Type.Object(
  {
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'New path below the backend URL (a template), starting with /' })),
    pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Regular expression matched against the path; with `replacement`' })),
    replacement: Type.Optional(Type.String({ maxLength: 2000, description: 'Replacement for `pattern` ($1 … for groups)' })),
  },
  { additionalProperties: false },
);

/** Azure rewrite-uri; Kong request-transformer replace.uri; Apiman URL rewriting (response side). */
export const rewritePath = definePolicy<Static<typeof schema>>({
  name: 'rewrite-path',
  summary: 'Rewrites the path sent to the backend, from a template or a regular expression.',
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config, env) {
    if ((config.path === undefined) === (config.pattern === undefined)) throw new PolicyConfigError('', 'give either path, or pattern with replacement');
    if (config.pattern !== undefined) {
      if (config.replacement === undefined) throw new PolicyConfigError('/replacement', 'required with pattern');
      let re: RegExp;
      try {
        re = new RegExp(config.pattern);
      } catch (error) {
        throw new PolicyConfigError('/pattern', (error as Error).message);
      }
      const replacement = config.replacement;
      return {
        request: (x) => {
          const next = x.path.replace(re, replacement);
          if (!next.startsWith('/')) return x.refuse('PORTICO_POLICY_FAILED', 'rewrite-path produced a path that does not start with /');
          x.path = next;
        },
      };
    }
    const path = template(config.path!, env, '/path');
    return {
      needs: { requestBody: path.requestBody },
      request: (x) => {
        const next = path(x);
        if (!next.startsWith('/') || /[?#\s]/.test(next)) return x.refuse('PORTICO_POLICY_FAILED', 'rewrite-path produced a path that is not an absolute path without query');
        x.path = next;
      },
    };
  },
});
