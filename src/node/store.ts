// HALLPASS_STORE for the stdin node: which store to open, and opening it with Node's drivers
// (node:sqlite, built in; postgres.js, loaded only when named). The stores themselves live in
// src/store/ and use nothing of Node's.
import { ConfigError } from '../errors.ts'
import { MemoryStore } from '../store/memory.ts'
import { connectPostgresStore, type PostgresDriver, type PostgresStore, type PostgresStoreOptions } from '../store/postgres.ts'
import { connectSqliteStore, type SqliteDatabase, type SqliteStore, type SqliteStoreOptions } from '../store/sqlite.ts'
import type { TokenStore } from '../store/types.ts'

export interface OpenStoreOptions {
  /** How long a change may wait for the store (a lock another process holds, the database), ms. */
  waitMs: number
  /** postgres://…: the most connections one node opens. */
  pool: number
  /** HALLPASS_REVOCATION_STALENESS, ms: how far behind other nodes' revocations the view may be (0: ask the store every verify). */
  stalenessMs?: number
  log: (message: string) => void
}

/** The store in the SQLite file `path` (node:sqlite), created on first use; throws StoreError. */
export function openSqliteStore(path: string, options: Omit<SqliteStoreOptions, 'defer'>): Promise<SqliteStore> {
  // Loaded here, not imported: a node on the memory store never loads SQLite (nor its warning).
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite')
  const open = (file: string) => new DatabaseSync(file) as unknown as SqliteDatabase
  return connectSqliteStore(open, path, { ...options, defer: setImmediate })
}

/**
 * The store in a PostgreSQL database (postgres.js), its schema made or migrated; throws StoreError.
 * postgres.js is an optional peer dependency: only a node with a postgres:// store loads it, and
 * one without it installed is told how to get it.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions): Promise<PostgresStore> {
  let driver: PostgresDriver
  try {
    driver = (await import('postgres')).default as unknown as PostgresDriver
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error
    throw new ConfigError('HALLPASS_STORE=postgres://… needs the postgres package beside hallpass: npm install postgres', { cause: error })
  }
  return connectPostgresStore(driver, url, options)
}

/** The store HALLPASS_STORE names (`memory` when unset); throws ConfigError or StoreError. */
export async function openStore(spec: string | undefined, options: OpenStoreOptions): Promise<TokenStore> {
  if (spec === undefined || spec === 'memory') return new MemoryStore()
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length)
    if (path === '') throw new ConfigError('HALLPASS_STORE=sqlite:PATH needs a file path after sqlite:')
    return await openSqliteStore(path, { waitMs: options.waitMs, log: options.log, ...(options.stalenessMs === undefined ? {} : { stalenessMs: options.stalenessMs }) })
  }
  if (/^postgres(?:ql)?:\/\//.test(spec)) return await openPostgresStore(spec, { pool: options.pool, waitMs: options.waitMs, log: options.log, ...(options.stalenessMs === undefined ? {} : { stalenessMs: options.stalenessMs }) })
  // Not echoed: a mistyped connection string may hold a password.
  throw new ConfigError('HALLPASS_STORE must be memory, sqlite:PATH or postgres://…')
}
