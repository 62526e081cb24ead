// `hallpass/node`: the stdin node's building blocks, for embedding the line protocol elsewhere.
export { serve, DEFAULT_MAX_LINE_BYTES, type ServeOptions, type Server } from './serve.ts'
export { LineSplitter, type LineSink } from './lines.ts'
export { LineWriter } from './writer.ts'
export { nodeCrypto } from './crypto.ts'
export { openSqliteStore, openPostgresStore } from './store.ts'
export { SqliteStore, SCHEMA_VERSION, type SqliteStoreOptions } from '../store/sqlite.ts'
export { PostgresStore, POSTGRES_SCHEMA_VERSION, type PostgresStoreOptions } from '../store/postgres.ts'
