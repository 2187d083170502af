import type { NamedValueCreate, NamedValueUpdate } from '../domain/named-value.ts';
import { tables, type StoredNamedValue } from '../store/tables.ts';
import type { Sealer } from '../core/crypto.ts';
import { OrgResource } from './resource.ts';

/**
 * Named values: constants and secrets referenced from policies as {{name}}. A secret's value is
 * sealed (AES-256-GCM) before it reaches the store and is never returned by the API.
 */
export function namedValuesResource(sealer: Sealer) {
  const seal = (secret: boolean, value: string) => (secret ? { value: null, sealed: sealer.seal(value) } : { value, sealed: null });
  return new OrgResource<StoredNamedValue, NamedValueCreate, NamedValueUpdate>({
    table: tables.namedValues,
    idPrefix: 'nv',
    entityType: 'named-value',
    readRole: 'publisher',
    writeRole: 'publisher',
    build: (input, base) => ({ ...base, name: input.name, secret: input.secret ?? false, ...seal(input.secret ?? false, input.value) }),
    merge: (current, patch) => (patch.value === undefined ? current : { ...current, ...seal(current.secret, patch.value) }),
    present: ({ sealed: _sealed, ...rest }) => ({ ...rest, sealed: null }),
  });
}

/** The plain value of a named value, for the snapshot builder only. */
export function revealNamedValue(sealer: Sealer, nv: StoredNamedValue): string {
  return nv.sealed ? sealer.open(nv.sealed) : (nv.value ?? '');
}
