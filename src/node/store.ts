// HALLPASS_STORE for the stdin node: which store to open, and opening it.
import { ConfigError } from '../errors.ts'
import { MemoryStore } from '../store/memory.ts'
import type { TokenStore } from '../store/types.ts'
import { openPostgresStore } from './postgres-store.ts'
import { openSqliteStore } from './sqlite-store.ts'

export interface OpenStoreOptions {
  /** How long to wait for a lock another process holds, or for the database, milliseconds. */
  waitMs: number
  /** postgres://…: the most connections one node opens. */
  pool: number
  log: (message: string) => void
}

/** The store HALLPASS_STORE names (`memory` when unset); throws ConfigError or StoreError. */
export async function openStore(spec: string | undefined, options: OpenStoreOptions): Promise<TokenStore> {
  if (spec === undefined || spec === 'memory') return new MemoryStore()
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length)
    if (path === '') throw new ConfigError('HALLPASS_STORE=sqlite:PATH needs a file path after sqlite:')
    return await openSqliteStore(path, { waitMs: options.waitMs, log: options.log })
  }
  if (/^postgres(?:ql)?:\/\//.test(spec)) return await openPostgresStore(spec, { pool: options.pool, waitMs: options.waitMs, log: options.log })
  // Not echoed: a mistyped connection string may hold a password.
  throw new ConfigError('HALLPASS_STORE must be memory, sqlite:PATH or postgres://…')
}
