import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// Bodies are validated strictly: no type coercion, unknown fields refused (never silently
// dropped), every violation reported. Path and query strings are coerced ("5" → 5) as they must be.
const bodyAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, removeAdditional: false, useDefaults: false });
const paramAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: true, removeAdditional: false, useDefaults: true });
addFormats.default(bodyAjv);
addFormats.default(paramAjv);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : paramAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};
