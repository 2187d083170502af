import { Type, type Static } from 'typebox';
import { Id, Meta, Name, Role } from './common.ts';

const Email = Type.String({ format: 'email', maxLength: 254, description: 'Sign-in email, unique' });
const Password = Type.String({ minLength: 12, maxLength: 200, description: 'At least 12 characters' });

export const UserCreate = Type.Object(
  { email: Email, name: Name, password: Type.Optional(Password), isAdmin: Type.Optional(Type.Boolean({ description: 'Installation administrator' })) },
  { additionalProperties: false },
);
export const UserUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    password: Type.Optional(Password),
    currentPassword: Type.Optional(Type.String({ maxLength: 200, description: 'Required to change your own password' })),
  },
  { additionalProperties: false },
);
export const User = Type.Object({ ...Meta, email: Email, name: Name, isAdmin: Type.Boolean() });

export const MembershipCreate = Type.Object({ userId: Id, role: Role }, { additionalProperties: false });
export const Membership = Type.Object({ organizationId: Id, userId: Id, role: Role, createdAt: Meta.createdAt });

export type UserCreate = Static<typeof UserCreate>;
export type UserUpdate = Static<typeof UserUpdate>;
export type User = Static<typeof User>;
export type Membership = Static<typeof Membership>;
