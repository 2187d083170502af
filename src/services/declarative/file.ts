import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { PorticoError } from '../../core/errors.ts';
import { loadOpenApi } from '../import/openapi.ts';

/**
 * Reads a configuration file for sending to a control plane: YAML or JSON; each `openapi: ./file`
 * reference (relative to the file, with its own relative `$ref`s) is read, validated and inlined;
 * the environment variables named by `valueFrom.env` are collected from `env`.
 */
export async function readConfigFile(path: string, env: Record<string, string | undefined>): Promise<{ document: Record<string, unknown>; env: Record<string, string> }> {
  const file = resolve(path);
  let document: Record<string, unknown>;
  try {
    document = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new PorticoError('PORTICO_VALIDATION_FAILED', `${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!document || typeof document !== 'object') throw new PorticoError('PORTICO_VALIDATION_FAILED', `${path}: not a configuration document`);
  const apis = Array.isArray(document.apis) ? (document.apis as Record<string, unknown>[]) : [];
  for (const api of apis) {
    if (typeof api?.openapi !== 'string') continue;
    const ref = api.openapi;
    api.openapi = (await loadOpenApi({ path: isAbsolute(ref) ? ref : resolve(dirname(file), ref) })).document;
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const nv of Array.isArray(document.namedValues) ? (document.namedValues as { valueFrom?: { env?: unknown } }[]) : []) {
    const name = nv?.valueFrom?.env;
    if (typeof name !== 'string') continue;
    const value = env[name];
    if (value === undefined) missing.push(name);
    else values[name] = value;
  }
  if (missing.length > 0) throw new PorticoError('PORTICO_VALIDATION_FAILED', `Set the environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (named by valueFrom.env in ${path})`);
  return { document, env: values };
}

export function configToYaml(document: unknown): string {
  return toYaml(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}
