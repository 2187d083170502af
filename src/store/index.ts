export { openStore, bumpRevision, currentRevision, type Store, type Db, type Tx, type Dialect } from './database.ts';
export { EntityTable, isUniqueViolation, isForeignKeyViolation, type Stored, type ListOptions } from './entities.ts';
export { tables } from './tables.ts';
export type { Database } from './schema.ts';
