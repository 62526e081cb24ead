// HALLPASS_STORE=sqlite:PATH: the store in one SQLite file, shared by every process on the machine
// that opens it. The connection comes from the host (src/node/store.ts opens node:sqlite).
//
// - Durable before acknowledged: WAL with synchronous=FULL, so a commit has reached the disk (not
//   only the OS, which would survive kill -9 but not a power cut). Writes of one turn of the event
//   loop share one transaction (group commit): every promise resolves only after its COMMIT, and
//   the node writes a reply only then.
// - One winner per refresh token, across processes: writes run inside BEGIN IMMEDIATE, which holds
//   the file's write lock from the read of a family (and of its subject's cut-off) to its update.
// - Nobody waits for another process's lock with the event loop stopped: the lock is tried without
//   SQLite's busy handler, and tried again on a timer until HALLPASS_STORE_WAIT has passed for the
//   oldest waiting write (then error 11). Verify, meanwhile, goes on answering.
// - No database read per verify: revocations are held in a view (store/view.ts), loaded at open
//   and kept current by polling the `revocation` log every 200 ms (its `seq` only grows, and
//   writers commit in seq order, so `seq > last` misses nothing).
// - Bounded growth: expired rows are deleted a batch at a time (at open, then every minute), and
//   freed pages go back to the file system (auto_vacuum=INCREMENTAL).
import { StoreError, StoreUnavailableError } from '../errors.ts'
import { legacyTextEscapes, migrationToV3, schema, SCHEMA_VERSION, storedExpiry, storedText, tables, textFromStore } from './schema.ts'
import { SqlFamilies, type SqlConnection, type SqlValue } from './sql.ts'
import type { FamilyRecord, RevocationQuery, RotateRequest, RotateResult, TokenStore } from './types.ts'
import { judgedInstantMs, RevocationView } from './view.ts'

export { SCHEMA_VERSION }

/** node:sqlite's DatabaseSync, as much of it as the store uses. */
export interface SqliteDatabase {
  exec(sql: string): void
  prepare(sql: string): {
    run(...params: SqlValue[]): { changes: number | bigint }
    get(...params: SqlValue[]): unknown
    all(...params: SqlValue[]): unknown[]
  }
  close(): void
}

export interface SqliteStoreOptions {
  /** How long a write may wait for another process's write lock, milliseconds (HALLPASS_STORE_WAIT). */
  waitMs: number
  /**
   * HALLPASS_REVOCATION_STALENESS: the most this process's view may lag behind the revocations
   * other processes commit, ms (1000 by default). 0: every verify reads the file.
   */
  stalenessMs?: number
  /** How often other processes' revocations are read into the view, ms: 200, or half the staleness if less. */
  pollMs?: number
  /** How often expired entries are purged, milliseconds. */
  purgeMs?: number
  /** Epoch milliseconds (`Date.now`). */
  clock?: () => number
  /** Diagnostics (stderr): never a token; the path and SQLite's own error text at most. */
  log?: (message: string) => void
  /** Runs `fn` once this turn's I/O has been handled (Node: `setImmediate`): the group commit. */
  defer?: (fn: () => void) => void
}

/** Rows deleted per purge step: each step is one short transaction, never a long pause. */
const PURGE_BATCH = 2000
/** Pages handed back to the file system per purge step. */
const VACUUM_PAGES = 2000
/** The longest pause between two tries of the write lock, ms. */
const MAX_RETRY_MS = 20

const T = tables('sqlite')

interface RevocationRow {
  seq: number
  jti: string | null
  sub: string | null
  cutoff_ms: number | null
  expires_at: number
}

interface Pending {
  work: () => unknown
  /** Updates the view once the write is committed, never before. */
  afterCommit: (() => void) | undefined
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  /** Epoch ms after which it stops waiting for the lock. */
  deadline: number
}

/** SQLite's primary result code of an error. */
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

const isBusy = (error: unknown) => {
  const code = sqliteCode(error)
  return code === SQLITE_BUSY || code === SQLITE_LOCKED
}

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
 * Opens (creating it on first use) the store in the file `path`, `open` making the connection;
 * throws StoreError. Processes starting together on a new file contend for it while one of them
 * switches it to WAL, and SQLite then answers SQLITE_BUSY at once, without its busy handler (it
 * would otherwise deadlock): the whole opening is tried again, every 25 ms, until `waitMs` have passed.
 */
export async function connectSqliteStore(open: (path: string) => SqliteDatabase, path: string, options: SqliteStoreOptions): Promise<SqliteStore> {
  const deadline = Date.now() + options.waitMs
  for (;;) {
    try {
      return openOnce(open, path, options)
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw openError(path, error, options.waitMs)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
}

function openOnce(open: (path: string) => SqliteDatabase, path: string, options: SqliteStoreOptions): SqliteStore {
  let db: SqliteDatabase | undefined
  try {
    db = open(path)
    // At open only: nothing is served yet, so waiting here stops nobody.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.waitMs))}`)
    // Before anything is written: a corrupt file is left exactly as it was found.
    checkIntegrity(db, path)
    migrate(db, path)
    db.exec('PRAGMA busy_timeout = 0')
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

/** SQL connection calls over node:sqlite, with each statement prepared once. */
function connection(db: SqliteDatabase): SqlConnection {
  const statements = new Map<string, ReturnType<SqliteDatabase['prepare']>>()
  const prepared = (sql: string) => {
    let statement = statements.get(sql)
    if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)))
    return statement
  }
  return {
    run: (sql, ...params) => Number(prepared(sql).run(...params).changes),
    get: <T>(sql: string, ...params: SqlValue[]) => prepared(sql).get(...params) as T | undefined,
    all: <T>(sql: string, ...params: SqlValue[]) => prepared(sql).all(...params) as T[],
  }
}

/** Creates the schema in a new file, brings a v2 one up to date, refuses a newer or foreign one. */
function migrate(db: SqliteDatabase, path: string): void {
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
      const tableCount = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }
      if (tableCount.n > 0) throw new StoreError(`the store ${path} is an SQLite database that hallpass did not create: give hallpass a file of its own`)
      for (const statement of schema('sqlite')) db.exec(statement)
    } else if (version === 1) {
      for (const statement of migrationToV3('sqlite')) db.exec(statement)
      const sql = connection(db)
      for (const { select, update } of legacyTextEscapes('sqlite')) {
        for (const row of sql.all<{ key: SqlValue; text: string }>(select)) sql.run(update, storedText(row.text), row.key)
      }
    }
    if (version !== SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    db.exec('COMMIT')
  } catch (error) {
    db.exec('ROLLBACK')
    throw error
  }
}

/** A file whose pages do not hold together is refused, not half served (PROTOCOL: corrupt stops the node). */
function checkIntegrity(db: SqliteDatabase, path: string): void {
  const rows = db.prepare('PRAGMA quick_check').all() as Array<Record<string, unknown>>
  const first = rows[0] === undefined ? undefined : Object.values(rows[0])[0]
  if (rows.length !== 1 || first !== 'ok') {
    throw new StoreError(`the store ${path} is corrupt (PRAGMA quick_check: ${String(first ?? 'no answer').slice(0, 200)}); restore it from a backup`)
  }
}

export class SqliteStore implements TokenStore {
  readonly #db: SqliteDatabase
  readonly #sql: SqlConnection
  readonly #families: SqlFamilies
  readonly #log: (message: string) => void
  readonly #clock: () => number
  readonly #waitMs: number
  readonly #defer: (fn: () => void) => void
  /** The revocations known to this process: every verify reads this, never the file. */
  readonly #view = new RevocationView()
  /** Writes waiting for the next transaction: this turn's, or all of them while the lock is busy. */
  #queue: Pending[] = []
  #flushing = false
  #retryMs = 1
  #busyLogged = false
  readonly #timers: Array<ReturnType<typeof setInterval>> = []
  readonly #stalenessMs: number
  #closed = false

  constructor(db: SqliteDatabase, options: SqliteStoreOptions) {
    this.#db = db
    this.#sql = connection(db)
    this.#families = new SqlFamilies(this.#sql)
    this.#log = options.log ?? (() => undefined)
    this.#clock = options.clock ?? Date.now
    this.#waitMs = options.waitMs
    this.#defer = options.defer ?? ((fn) => setTimeout(fn, 0))
    // A node refuses every revocation already in the file from its first reply.
    this.#readRevocations()
    this.#purgeAll()
    this.#stalenessMs = options.stalenessMs ?? 1000
    this.#timers.push(setInterval(() => this.#poll(), options.pollMs ?? Math.max(1, Math.min(200, this.#stalenessMs / 2))))
    this.#timers.push(setInterval(() => this.#purgeLater(), options.purgeMs ?? 60_000))
    for (const timer of this.#timers) (timer as { unref?: () => void }).unref?.()
  }

  createFamily(id: string, record: FamilyRecord): Promise<void> {
    return this.#write(() => this.#families.create(id, record))
  }

  rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> {
    // Inside the transaction: no other process can write between these reads and the update, so
    // a revocation of the subject is either seen here or committed after, covering what this mints.
    return this.#write(() => {
      const cutoffMs = this.#families.cutoffOf(request.sub === undefined ? undefined : storedText(request.sub), request.now)
      return this.#families.rotate(id, request, cutoffMs)
    })
  }

  revokeFamily(id: string, now: number): Promise<boolean> {
    return this.#write(() => this.#families.revoke(id, now))
  }

  revokeToken(jti: string, sub: string | undefined, expiresAt: number, now: number): Promise<void> {
    const until = storedExpiry(expiresAt)
    return this.#write(
      () => void this.#sql.run(`INSERT INTO ${T.revocation} (jti, sub, cutoff_ms, expires_at) VALUES (?, ?, NULL, ?)`, storedText(jti), sub === undefined ? null : storedText(sub), until),
      () => this.#view.revokeToken(jti, until, now),
    )
  }

  revokeSubject(sub: string, cutoffMs: number, expiresAt: number, now: number): Promise<void> {
    const until = storedExpiry(expiresAt)
    const stored = storedText(sub)
    return this.#write(
      () => {
        this.#sql.run(`INSERT INTO ${T.revocation} (jti, sub, cutoff_ms, expires_at) VALUES (NULL, ?, ?, ?)`, stored, cutoffMs, until)
        this.#sql.run(
          `INSERT INTO ${T.subject} (sub, cutoff_ms, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (sub) DO UPDATE SET cutoff_ms = MAX(cutoff_ms, excluded.cutoff_ms), expires_at = MAX(expires_at, excluded.expires_at)`,
          stored, cutoffMs, until,
        )
      },
      () => this.#view.revokeSubject(sub, cutoffMs, until, now),
    )
  }

  /**
   * From the view in memory: no database read. At staleness 0, from the file itself (a read, which
   * in WAL mode never waits for a writer); one that fails is Store unavailable.
   */
  isRevoked(query: RevocationQuery, now: number): boolean {
    const known = this.#view.isRevoked(query, now)
    if (known || this.#stalenessMs > 0) return known
    try {
      if (query.jti !== undefined && this.#sql.get(`SELECT 1 AS revoked FROM ${T.revocation} WHERE jti = ? AND expires_at > ? LIMIT 1`, storedText(query.jti), now) !== undefined) return true
      const cutoffMs = this.#families.cutoffOf(query.sub === undefined ? undefined : storedText(query.sub), now)
      return cutoffMs !== undefined && judgedInstantMs(query) < cutoffMs
    } catch (error) {
      this.#log(`store unavailable: ${(error as Error).message}`)
      throw new StoreUnavailableError({ cause: error })
    }
  }

  catchUp(): void {
    this.#readRevocations()
  }

  /** Settles what is queued, folds the WAL back into the file, and closes it. */
  close(): void {
    if (this.#closed) return
    this.#flush()
    this.#closed = true
    for (const pending of this.#queue.splice(0)) pending.reject(new StoreUnavailableError())
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
   * Queues `work` for the next transaction and resolves with its result once that transaction has
   * committed. `afterCommit` updates the view only then, so the view never holds a change the
   * file does not.
   */
  #write<T>(work: () => T, afterCommit?: () => void): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError())
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, afterCommit, resolve: resolve as (value: unknown) => void, reject, deadline: this.#clock() + this.#waitMs })
      if (this.#queue.length === 1 && !this.#flushing) {
        this.#flushing = true
        this.#defer(() => this.#flush())
      }
    })
  }

  /** Takes the write lock if it is free, and runs and commits every queued write in one transaction. */
  #flush(): void {
    this.#flushing = false
    if (this.#queue.length === 0 || this.#closed) return
    try {
      this.#db.exec('BEGIN IMMEDIATE')
    } catch (error) {
      this.#lockBusy(error)
      return
    }
    this.#retryMs = 1
    this.#busyLogged = false
    const batch = this.#queue.splice(0)
    const done: Array<{ pending: Pending; result: unknown }> = []
    for (const pending of batch) {
      try {
        this.#db.exec('SAVEPOINT one_write')
        const result = pending.work()
        this.#db.exec('RELEASE one_write')
        done.push({ pending, result })
      } catch (error) {
        // Only this write is undone; the rest of the batch goes on to its commit.
        try {
          this.#db.exec('ROLLBACK TO one_write')
          this.#db.exec('RELEASE one_write')
        } catch {
          // SQLite ended the whole transaction itself (an I/O error): the commit will say so.
        }
        this.#log(`store write failed: ${(error as Error).message}`)
        pending.reject(new StoreUnavailableError({ cause: error }))
      }
    }
    try {
      this.#db.exec('COMMIT')
    } catch (error) {
      try {
        this.#db.exec('ROLLBACK')
      } catch {
        // SQLite rolled back already (a failed COMMIT may do so itself).
      }
      this.#log(`store unavailable: commit failed: ${(error as Error).message}`)
      for (const { pending } of done) pending.reject(new StoreUnavailableError({ cause: error }))
      return
    }
    for (const { pending } of done) pending.afterCommit?.()
    for (const { pending, result } of done) pending.resolve(result)
  }

  /** Another process holds the lock: writes past their wait get error 11, the rest try again soon. */
  #lockBusy(error: unknown): void {
    if (!isBusy(error)) {
      this.#log(`store unavailable: ${(error as Error).message}`)
      for (const pending of this.#queue.splice(0)) pending.reject(new StoreUnavailableError({ cause: error }))
      return
    }
    const now = this.#clock()
    const expired = this.#queue.filter((pending) => pending.deadline <= now)
    if (expired.length > 0) {
      this.#queue = this.#queue.filter((pending) => pending.deadline > now)
      if (!this.#busyLogged) this.#log(`store unavailable: locked by another process for ${this.#waitMs / 1000} s (HALLPASS_STORE_WAIT)`)
      this.#busyLogged = true
      for (const pending of expired) pending.reject(new StoreUnavailableError({ cause: error }))
    }
    if (this.#queue.length === 0) return
    this.#flushing = true
    setTimeout(() => this.#flush(), this.#retryMs)
    this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2)
  }

  /** Reads the revocations committed since the last read (by any process) into the view. */
  #readRevocations(): void {
    const now = Math.floor(this.#clock() / 1000)
    for (const row of this.#sql.all<RevocationRow>(`SELECT seq, jti, sub, cutoff_ms, expires_at FROM ${T.revocation} WHERE seq > ? ORDER BY seq`, this.#view.lastSeq)) {
      this.#view.lastSeq = row.seq
      this.#view.apply(
        { jti: row.jti === null ? undefined : textFromStore(row.jti), sub: row.sub === null ? undefined : textFromStore(row.sub), cutoffMs: row.cutoff_ms ?? undefined, expiresAt: row.expires_at },
        now,
      )
    }
  }

  #poll(): void {
    if (this.#closed) return
    try {
      this.#readRevocations()
      this.#view.markCurrent(true, this.#log)
    } catch (error) {
      // A reader meets a busy file only in passing (WAL recovery): the next poll reads.
      if (!isBusy(error)) this.#view.markCurrent(false, this.#log, (error as Error).message)
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
    if (this.#purgeStep()) setTimeout(() => this.#purgeLater(), 0)
  }

  /** One batch; true if there may be more. */
  #purgeStep(): boolean {
    if (this.#closed) return false
    const now = Math.floor(this.#clock() / 1000)
    try {
      this.#db.exec('BEGIN IMMEDIATE')
      let deleted = 0
      try {
        for (const [table, key] of [[T.family, 'rowid'], [T.revocation, 'seq'], [T.subject, 'rowid']] as const) {
          deleted += this.#sql.run(`DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE expires_at <= ? LIMIT ?)`, now, PURGE_BATCH)
        }
        this.#db.exec('COMMIT')
      } catch (error) {
        this.#db.exec('ROLLBACK')
        throw error
      }
      this.#db.exec(`PRAGMA incremental_vacuum(${VACUUM_PAGES})`)
      if (deleted > 0) return true
      return (this.#sql.get<{ freelist_count: number }>('PRAGMA freelist_count')?.freelist_count ?? 0) > 0
    } catch (error) {
      // Busy with other processes' writes: the next purge tries again.
      if (!isBusy(error)) this.#log(`store: purge postponed: ${(error as Error).message}`)
      return false
    }
  }
}
