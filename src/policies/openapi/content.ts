/**
 * Body checks against an OpenAPI `content` map, compiled once: the message's media type must be
 * one of the declared ones (`type/*` and `*` + `/*` ranges count), and a JSON body is parsed safely and
 * validated against that media type's schema. Other media types are checked by type only.
 */
import type { ValidateFunction } from 'ajv';
import { parseJsonBody } from './json-body.ts';
import { declaredFor, isJson } from './media.ts';
import type { MediaView } from './operation.ts';
import { validatorOf, type Dialect } from './schema.ts';
import { bodyViolations, type Violation } from './violations.ts';

export interface ContentCheck {
  readonly declared: readonly string[];
  /** Some declared type has a schema a JSON body is validated against (the body must be read). */
  readonly readsBody: boolean;
  /** False when `type` is not declared; otherwise body violations are added to `out`. */
  check(type: string, body: Buffer | null, out: Violation[]): boolean;
}

export function compileContent(content: ReadonlyMap<string, MediaView>, dialect: Dialect, refs: Record<string, unknown>): ContentCheck {
  const validators = new Map<string, ValidateFunction>();
  for (const [type, media] of content) if (media.schema !== undefined && (isJson(type) || type.endsWith('/*'))) validators.set(type, validatorOf(media.schema, dialect, refs));
  const declared = [...content.keys()];
  return {
    declared,
    readsBody: validators.size > 0,
    check(type, body, out) {
      const key = declaredFor(declared, type);
      if (key === null) return false;
      const validate = validators.get(key);
      if (validate === undefined || !isJson(type)) return true;
      const parsed = parseJsonBody(body);
      if (!parsed.ok) out.push(parsed.violation);
      else if (!validate(parsed.value)) out.push(...bodyViolations(validate.errors));
      return true;
    },
  };
}

/** The violation for an undeclared media type. */
export function contentTypeViolation(type: string, declared: readonly string[]): Violation {
  return { in: 'header', name: 'content-type', pointer: '', message: `${type === '' ? 'is missing' : `${type} is not declared`}; declared: ${declared.join(', ')}` };
}
