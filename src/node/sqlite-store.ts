// HALLPASS_STORE=sqlite:PATH: the store in one SQLite file (Node's built-in node:sqlite), shared
// by every process on the machine that opens it.
//
// - Durable before acknowledged: WAL with synchronous=FULL, so a commit has reached the disk (not
//   only the OS, which would survive kill -9 but not a power cut). Writes of one event-loop turn
//   share one transaction (group commit): every promise resolves only after its COMMIT, and the
//   node writes a reply only then.
// - One winner per refresh token, across processes: every write runs inside BEGIN IMMEDIATE, which
//   holds the file's write lock from the read of a family to its update.
// - No database read per verify: revocations are held in memory (a MemoryStore as the view),
//   loaded at open and kept current by polling the `revocation` log every 200 ms (its `seq` only
//   grows, and writers commit in seq order, so `seq > last` misses nothing).
// - Bounded growth: expired families and revocations are deleted a batch at a time (at open, then
//   every minute), and freed pages go back to the file system (auto_vacuum=INCREMENTAL).
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { StoreError, StoreUnavailableError } from '../errors.ts'
import type { JsonObject } from '../jws/compact.ts'
import { MemoryStore } from '../store/memory.ts'
import { applyRotation } from '../store/rotation.ts'
import type { FamilyRecord, RevocationQuery, RotateRequest, RotateResult, TokenStore } from '../store/types.ts'

/** The schema this code writes (PRAGMA user_version). A file of a later one is refused at open. */
export const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE family (
  id TEXT PRIMARY KEY,
  claims TEXT NOT NULL,
  generation INTEGER NOT NULL,
  revoked INTEGER NOT NULL,
  current_jti TEXT NOT NULL,
  current_iat INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  rotated_at INTEGER NOT NULL
);
CREATE INDEX family_expiry ON family (expires_at);
-- Every revocation, in commit order: a revoked access token (jti) or a subject's cut-off.
CREATE TABLE revocation (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  jti TEXT,
  sub TEXT,
  cutoff_ms INTEGER,
  expires_at INTEGER NOT NULL
);
CREATE INDEX revocation_expiry ON revocation (expires_at);
`

export interface SqliteStoreOptions {
  /** How long to wait for another process's write lock, milliseconds (HALLPASS_STORE_WAIT). */
  waitMs: number
  /** How often other processes' revocations are read into the view, milliseconds. */
  pollMs?: number
  /** How often expired entries are purged, milliseconds. */
  purgeMs?: number
  /** Epoch milliseconds (`Date.now`), for purging. */
  clock?: () => number
  /** Diagnostics (stderr): never a token; the path and SQLite's own error text at most. */
  log?: (message: string) => void
}

/** Rows deleted per purge step: each step is one short transaction, never a long pause. */
const PURGE_BATCH = 2000
/** Pages handed back to the file system per purge step. */
const VACUUM_PAGES = 2000

interface FamilyRow {
  claims: string
  generation: number
  revoked: number
  current_jti: string
  current_iat: number
  expires_at: number
  rotated_at: number
}

interface RevocationRow {
  seq: number
  jti: string | null
  sub: string | null
  cutoff_ms: number | null
  expires_at: number
}

interface Pending {
  resolve: () => void
  reject: (error: unknown) => void
}

/** SQLite's primary result code of a node:sqlite error. */
function sqliteCode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown })?.errcode
  return typeof code === 'number' ? code & 0xff : undefined
}

const SQLITE_BUSY = 5
const SQLITE_LOCKED = 6
const SQLITE_READONLY = 8
const SQLITE_CORRUPT = 11
const SQLITE_CANTOPEN = 14
const SQLITE_NOTADB = 26

/** Why a store cannot be opened, in one line that names the file and never its contents. */
function openError(path: string, error: unknown, waitMs: number): StoreError {
  if (error instanceof StoreError) return error
  const code = sqliteCode(error)
  const why =
    code === SQLITE_BUSY || code === SQLITE_LOCKED ? `is locked by another process (waited ${waitMs / 1000} s; HALLPASS_STORE_WAIT sets the wait)`
    : code === SQLITE_CANTOPEN ? 'cannot be opened or created (does its directory exist, and may this user write there?)'
    : code === SQLITE_READONLY ? 'is read-only for this user'
    : code === SQLITE_NOTADB || code === SQLITE_CORRUPT ? 'is not an SQLite database, or it is corrupt'
    : `cannot be used: ${error instanceof Error ? error.message : 'unknown error'}`
  return new StoreError(`the store ${path} ${why}`, { cause: error })
}

/**
 * Opens (creating it on first use) the store in the file `path`; throws StoreError. Processes
 * starting together on a new file contend for it while one of them switches it to WAL, and SQLite
 * then answers SQLITE_BUSY at once, without its busy handler (it would otherwise deadlock): the
 * whole opening is tried again, every 25 ms, until `waitMs` have passed.
 */
export async function openSqliteStore(path: string, options: SqliteStoreOptions): Promise<SqliteStore> {
  const deadline = Date.now() + options.waitMs
  for (;;) {
    try {
      return openOnce(path, options)
    } catch (error) {
      const code = sqliteCode(error)
      const busy = code === SQLITE_BUSY || code === SQLITE_LOCKED
      if (!busy || Date.now() >= deadline) throw openError(path, error, options.waitMs)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
}

function openOnce(path: string, options: SqliteStoreOptions): SqliteStore {
  // Loaded here, not imported: a node on the memory store never loads SQLite (nor its warning).
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite')
  let db: DatabaseSync | undefined
  try {
    db = new DatabaseSync(path)
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.waitMs))}`)
    migrate(db, path)
    return new SqliteStore(db, options)
  } catch (error) {
    try {
      db?.close()
    } catch {
      // Already failing: the first error is the one to report.
    }
    throw error
  }
}

/** Creates the schema in a new file, checks it in an existing one. */
function migrate(db: DatabaseSync, path: string): void {
  // Before any table exists; a no-op on a file that already has tables.
  db.exec('PRAGMA auto_vacuum = INCREMENTAL')
  const mode = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }
  if (mode.journal_mode !== 'wal') throw new StoreError(`the store ${path} cannot use write-ahead logging (journal_mode is ${mode.journal_mode})`)
  db.exec('PRAGMA synchronous = FULL')
  // The WAL file is cut back to this after each checkpoint instead of keeping its peak size.
  db.exec('PRAGMA journal_size_limit = 8388608')
  db.exec('BEGIN IMMEDIATE')
  try {
    const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number }
    if (version > SCHEMA_VERSION) {
      throw new StoreError(`the store ${path} has schema ${version}, newer than this hallpass knows (${SCHEMA_VERSION}): run a newer hallpass on it`)
    }
    if (version === 0) {
      const tables = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }
      if (tables.n > 0) throw new StoreError(`the store ${path} is an SQLite database that hallpass did not create: give hallpass a file of its own`)
      db.exec(SCHEMA)
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    }
    db.exec('COMMIT')
  } catch (error) {
    db.exec('ROLLBACK')
    throw error
  }
}

export class SqliteStore implements TokenStore {
  readonly #db: DatabaseSync
  readonly #log: (message: string) => void
  readonly #clock: () => number
  readonly #statements: Record<'getFamily' | 'putFamily' | 'rotate' | 'revokeFamily' | 'addRevocation' | 'revocationsSince' | 'purgeFamilies' | 'purgeRevocations', StatementSync>
  /** The revocations known to this process: every verify reads this, never the file. */
  readonly #view = new MemoryStore()
  #lastSeq = 0
  /** Writes of this turn of the event loop: their transaction is open until the turn's COMMIT. */
  #batch: Pending[] | undefined
  /** View updates waiting for the commit of the writes that made them. */
  #afterCommit: Array<() => void> = []
  readonly #timers: ReturnType<typeof setInterval>[] = []
  #viewStale = false
  #closed = false

  constructor(db: DatabaseSync, options: SqliteStoreOptions) {
    this.#db = db
    this.#log = options.log ?? (() => undefined)
    this.#clock = options.clock ?? Date.now
    this.#statements = {
      getFamily: db.prepare('SELECT claims, generation, revoked, current_jti, current_iat, expires_at, rotated_at FROM family WHERE id = ?'),
      putFamily: db.prepare(
        `INSERT OR REPLACE INTO family (id, claims, generation, revoked, current_jti, current_iat, expires_at, rotated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      rotate: db.prepare('UPDATE family SET generation = ?, revoked = ?, current_jti = ?, current_iat = ?, expires_at = ?, rotated_at = ? WHERE id = ?'),
      revokeFamily: db.prepare('UPDATE family SET revoked = 1 WHERE id = ? AND expires_at > ?'),
      addRevocation: db.prepare('INSERT INTO revocation (jti, sub, cutoff_ms, expires_at) VALUES (?, ?, ?, ?)'),
      revocationsSince: db.prepare('SELECT seq, jti, sub, cutoff_ms, expires_at FROM revocation WHERE seq > ? ORDER BY seq'),
      purgeFamilies: db.prepare('DELETE FROM family WHERE rowid IN (SELECT rowid FROM family WHERE expires_at <= ? LIMIT ?)'),
      purgeRevocations: db.prepare('DELETE FROM revocation WHERE seq IN (SELECT seq FROM revocation WHERE expires_at <= ? LIMIT ?)'),
    }
    // A node refuses every revocation already in the file from its first reply.
    this.#readRevocations()
    this.#purgeAll()
    this.#timers.push(setInterval(() => this.#poll(), options.pollMs ?? 200))
    this.#timers.push(setInterval(() => this.#purgeLater(), options.purgeMs ?? 60_000))
    for (const timer of this.#timers) timer.unref()
  }

  createFamily(id: string, record: FamilyRecord): Promise<void> {
    return this.#write(() => {
      const { current } = record
      this.#statements.putFamily.run(id, JSON.stringify(record.claims), record.generation, record.revoked ? 1 : 0, current.jti, current.iat, current.exp, record.rotatedAt)
    })
  }

  rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> {
    return this.#write(() => {
      // Inside the batch's BEGIN IMMEDIATE: no other process can write between this read and
      // the update, and this process's own earlier writes of the batch are seen.
      const row = this.#statements.getFamily.get(id) as FamilyRow | undefined
      if (row === undefined || row.expires_at <= request.now) return { status: 'unknown' }
      const family: FamilyRecord = {
        claims: JSON.parse(row.claims) as JsonObject,
        generation: row.generation,
        revoked: row.revoked !== 0,
        current: { jti: row.current_jti, iat: row.current_iat, exp: row.expires_at },
        rotatedAt: row.rotated_at,
      }
      const result = applyRotation(family, request)
      if (result.status === 'rotated' || result.status === 'reused') {
        const { current } = family
        this.#statements.rotate.run(family.generation, family.revoked ? 1 : 0, current.jti, current.iat, current.exp, family.rotatedAt, id)
      }
      return result
    })
  }

  revokeFamily(id: string, now: number): Promise<boolean> {
    return this.#write(() => Number(this.#statements.revokeFamily.run(id, now).changes) > 0)
  }

  revokeToken(jti: string, sub: string | undefined, expiresAt: number, now: number): Promise<void> {
    return this.#write(
      () => void this.#statements.addRevocation.run(jti, sub ?? null, null, expiresAt),
      () => this.#view.revokeToken(jti, sub, expiresAt, now),
    )
  }

  revokeSubject(sub: string, cutoffMs: number, expiresAt: number, now: number): Promise<void> {
    return this.#write(
      () => void this.#statements.addRevocation.run(null, sub, cutoffMs, expiresAt),
      () => this.#view.revokeSubject(sub, cutoffMs, expiresAt, now),
    )
  }

  /** From the view in memory: no database read. */
  isRevoked(query: RevocationQuery, now: number): boolean {
    return this.#view.isRevoked(query, now)
  }

  /** Commits what is pending, folds the WAL back into the file, and closes it. */
  close(): void {
    if (this.#closed) return
    this.#commit()
    this.#closed = true
    for (const timer of this.#timers) clearInterval(timer)
    try {
      this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
    } catch (error) {
      // Another process still reading: the WAL stays for it (SQLite checkpoints it later).
      this.#log(`store: checkpoint at close skipped: ${(error as Error).message}`)
    }
    this.#db.close()
  }

  /**
   * Runs `work` in this turn's transaction (opened by the first write of the turn) and resolves
   * with its result once that transaction has committed. `afterCommit` updates the in-memory
   * view only then, so the view never holds a change the file does not.
   */
  #write<T>(work: () => T, afterCommit?: () => void): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError())
    if (this.#batch === undefined) {
      try {
        this.#db.exec('BEGIN IMMEDIATE')
      } catch (error) {
        this.#log(`store unavailable: ${(error as Error).message}`)
        return Promise.reject(new StoreUnavailableError({ cause: error }))
      }
      this.#batch = []
      setImmediate(() => this.#commit())
    }
    let result: T
    try {
      this.#db.exec('SAVEPOINT one_write')
      result = work()
      this.#db.exec('RELEASE one_write')
    } catch (error) {
      // Only this write is undone; the rest of the batch goes on to its commit.
      try {
        this.#db.exec('ROLLBACK TO one_write')
        this.#db.exec('RELEASE one_write')
      } catch {
        // SQLite ended the whole transaction itself (an I/O error): the commit will say so.
      }
      this.#log(`store write failed: ${(error as Error).message}`)
      return Promise.reject(new StoreUnavailableError({ cause: error }))
    }
    if (afterCommit !== undefined) this.#afterCommit.push(afterCommit)
    return new Promise<T>((resolve, reject) => this.#batch!.push({ resolve: () => resolve(result), reject }))
  }

  #commit(): void {
    const batch = this.#batch
    if (batch === undefined) return
    this.#batch = undefined
    const after = this.#afterCommit
    this.#afterCommit = []
    try {
      this.#db.exec('COMMIT')
    } catch (error) {
      try {
        this.#db.exec('ROLLBACK')
      } catch {
        // SQLite rolled back already (a failed COMMIT may do so itself).
      }
      this.#log(`store unavailable: commit failed: ${(error as Error).message}`)
      for (const pending of batch) pending.reject(new StoreUnavailableError({ cause: error }))
      return
    }
    for (const update of after) update()
    for (const pending of batch) pending.resolve()
  }

  /** Reads the revocations committed since the last read (by any process) into the view. */
  #readRevocations(): void {
    const now = Math.floor(this.#clock() / 1000)
    for (const row of this.#statements.revocationsSince.all(this.#lastSeq) as unknown as RevocationRow[]) {
      this.#lastSeq = row.seq
      if (row.expires_at <= now) continue
      if (row.cutoff_ms !== null && row.sub !== null) this.#view.revokeSubject(row.sub, row.cutoff_ms, row.expires_at, now)
      else if (row.jti !== null) this.#view.revokeToken(row.jti, row.sub ?? undefined, row.expires_at, now)
    }
  }

  #poll(): void {
    // Inside our own open transaction the read would see only this process's view of the file.
    if (this.#closed || this.#batch !== undefined) return
    try {
      this.#readRevocations()
      if (this.#viewStale) this.#log('store: revocations are current again')
      this.#viewStale = false
    } catch (error) {
      if (!this.#viewStale) this.#log(`store: cannot read revocations, verifying with those known so far: ${(error as Error).message}`)
      this.#viewStale = true
    }
  }

  /**
   * Deletes expired rows, a batch per transaction, handing freed pages back to the file system.
   * At open it runs to the end; while serving, one batch per turn of the event loop.
   */
  #purgeAll(): void {
    while (this.#purgeStep()) {
      // At open: nothing is being served yet.
    }
  }

  #purgeLater(): void {
    if (this.#purgeStep()) setImmediate(() => this.#purgeLater())
  }

  /** One batch; true if there may be more. */
  #purgeStep(): boolean {
    if (this.#closed || this.#batch !== undefined) return false
    const now = Math.floor(this.#clock() / 1000)
    try {
      this.#db.exec('BEGIN IMMEDIATE')
      let deleted: number
      try {
        deleted = Number(this.#statements.purgeFamilies.run(now, PURGE_BATCH).changes) + Number(this.#statements.purgeRevocations.run(now, PURGE_BATCH).changes)
        this.#db.exec('COMMIT')
      } catch (error) {
        this.#db.exec('ROLLBACK')
        throw error
      }
      this.#db.exec(`PRAGMA incremental_vacuum(${VACUUM_PAGES})`)
      if (deleted > 0) return true
      const { freelist_count: free } = this.#db.prepare('PRAGMA freelist_count').get() as { freelist_count: number }
      return free > 0
    } catch (error) {
      // Busy with other processes' writes: the next purge tries again.
      this.#log(`store: purge postponed: ${(error as Error).message}`)
      return false
    }
  }
}
