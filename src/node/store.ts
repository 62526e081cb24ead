// HALLPASS_STORE for the stdin node: which store to open, and opening it.
import { ConfigError } from '../errors.ts'
import { MemoryStore } from '../store/memory.ts'
import type { TokenStore } from '../store/types.ts'
import { openSqliteStore } from './sqlite-store.ts'

export interface OpenStoreOptions {
  /** How long to wait for a lock another process holds, milliseconds. */
  waitMs: number
  log: (message: string) => void
}

/** The store HALLPASS_STORE names (`memory` when unset); throws ConfigError or StoreError. */
export function openStore(spec: string | undefined, options: OpenStoreOptions): TokenStore {
  if (spec === undefined || spec === 'memory') return new MemoryStore()
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length)
    if (path === '') throw new ConfigError('HALLPASS_STORE=sqlite:PATH needs a file path after sqlite:')
    return openSqliteStore(path, { waitMs: options.waitMs, log: options.log })
  }
  if (/^postgres(?:ql)?:\/\//.test(spec)) throw new ConfigError('HALLPASS_STORE=postgres://… is not available in this version; use memory or sqlite:PATH')
  // Not echoed: a mistyped connection string may hold a password.
  throw new ConfigError('HALLPASS_STORE must be memory, sqlite:PATH or postgres://…')
}
