import { Type, type TSchema } from 'typebox';

/** Shared schema pieces. Every string has a bound so a huge payload is refused by validation. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Identifier' });
export const Slug = Type.String({ minLength: 2, maxLength: 63, pattern: '^[a-z0-9][a-z0-9-]*$', description: 'Lower-case letters, digits and dashes' });
export const Name = Type.String({ minLength: 1, maxLength: 200, description: 'Human-readable name, unique in its organization' });
export const Description = Type.String({ maxLength: 4000, description: 'Free text' });
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp' });

export const Meta = {
  id: Id,
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const Role = Type.Enum(['owner', 'admin', 'publisher', 'developer'] as const, {
  description: 'Role in an organization: owner > admin > publisher > developer',
});
export type Role = 'owner' | 'admin' | 'publisher' | 'developer';

export const ROLE_RANK: Record<Role, number> = { developer: 1, publisher: 2, admin: 3, owner: 4 };

/** A page of a list; pass `nextCursor` as `cursor` to get the next one. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page' })),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: 'Cursor from the previous page' })),
  },
  { additionalProperties: false },
);

/** A string that is one of `values` (JSON Schema `enum`), typed as their union. */
export function literals<const T extends readonly string[]>(values: T, description: string) {
  return Type.Enum(values, { description });
}
