/**
 * Every policy type this installation knows, in one list (STYLE.md habit 1: no filesystem
 * discovery). The management API validates a policy's config here when it is written — the
 * schema first, then the type's own compile step (expressions, templates, named values) — so a
 * bad config is refused with a pointer to the field and never discovered at request time.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { PolicyConfigError, type CompileEnv, type PolicyDefinition, type PolicyInstance } from './sdk.ts';
import { CATALOGUE } from './catalogue.ts';

export const POLICY_TYPES: readonly PolicyDefinition<never>[] = CATALOGUE;

const byName = new Map(POLICY_TYPES.map((t) => [t.name, t]));

export function policyDefinition(name: string): PolicyDefinition<never> | undefined {
  return byName.get(name);
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validators = new Map(POLICY_TYPES.map((t) => [t.name, ajv.compile(t.schema)]));

export interface PolicyConfigProblem {
  pointer: string;
  message: string;
}

/**
 * Validates a policy config; returns every violation with a JSON pointer into the request
 * (`/config/...`). `namedValues` are the names the organization has (values are not needed).
 */
export function validatePolicyConfig(type: string, config: unknown, namedValues: Iterable<string> = []): PolicyConfigProblem[] | 'unknown-type' {
  const definition = byName.get(type);
  const validate = validators.get(type);
  if (definition === undefined || validate === undefined) return 'unknown-type';
  if (!validate(config)) return (validate.errors ?? []).map((e) => ({ pointer: `/config${e.instancePath}`, message: e.message ?? 'invalid' }));
  try {
    const names = new Map<string, string>();
    for (const n of namedValues) names.set(n, '');
    compilePolicy(type, config, { namedValues: names, policyId: 'validation', scope: { type: 'api', id: null } });
    return [];
  } catch (error) {
    if (error instanceof PolicyConfigError) return [{ pointer: `/config${error.pointer}`, message: error.message }];
    return [{ pointer: '/config', message: (error as Error).message }];
  }
}

/** A config error whose pointer is already relative to the top-level config. */
class PlacedConfigError extends PolicyConfigError {}

/**
 * Validates a config against its type's schema and compiles it; nested policies (choose) compile
 * through the same function, so their configs are checked as strictly as top-level ones. `at` is
 * the nested policy's place in the top-level config (`/when/0/policies/1`), '' at the top.
 */
export function compilePolicy(type: string, config: unknown, env: CompileEnv, at = ''): PolicyInstance {
  const definition = byName.get(type);
  const validate = validators.get(type);
  if (definition === undefined || validate === undefined) throw new PlacedConfigError(at === '' ? '/type' : `${at}/type`, `unknown policy type "${type}"`);
  const base = at === '' ? '' : `${at}/config`;
  if (!validate(config)) {
    const first = validate.errors?.[0];
    throw new PlacedConfigError(`${base}${first?.instancePath ?? ''}`, first?.message ?? 'invalid');
  }
  const nested: CompileEnv = { ...env, compile: (t, c, p) => compilePolicy(t, c, nested, `${base}${p}`) };
  try {
    return definition.compile(config as never, nested);
  } catch (error) {
    if (error instanceof PolicyConfigError && !(error instanceof PlacedConfigError)) throw new PlacedConfigError(`${base}${error.pointer}`, error.message);
    throw error;
  }
}
