// HALLPASS_STORE=postgres://…: the store in a PostgreSQL database that nodes on several machines
// share, over postgres.js (the `postgres` package: no dependencies of its own, pipelining, query
// timeouts and LISTEN with reconnects built in). The host hands the driver in (src/node/store.ts).
//
// - One winner per refresh token, across machines, in one round trip: a rotation is one
//   conditional UPDATE … RETURNING (the generation presented, not revoked, not expired, and no
//   live cut-off of its subject at or after the family's login instant). A second rotation of the
//   same family waits for the first one's row lock, and READ COMMITTED then re-checks its WHERE on
//   the row as the first left it: it matches nothing. Only then (a spent, revoked, unknown or
//   covered token: rare) does a transaction with SELECT … FOR UPDATE tell which, by the core's rule.
// - Log out everywhere, under races: the cut-off check is inside the rotation's statement. A
//   revocation committed before it is seen; one committed after it covers what it mints (the
//   tokens carry the family's login instant), and every node's view refuses those within a second.
// - Durable before acknowledged: every change is committed (synchronous_commit, PostgreSQL's
//   default) before its promise resolves, and the node replies only then.
// - No database round trip per verify: revocations are held in a view, loaded at start, pushed to
//   every node by NOTIFY in the revoking statement (delivered at its commit), and read again every
//   500 ms as a backstop for notifications missed while the listening connection was down. A
//   sequence orders the rows but not the commits, so the backstop also re-reads the last 5 seconds.
// - Outages: a change answers error 11 `Store unavailable` within HALLPASS_STORE_WAIT, whether the
//   server refuses, is gone, or accepts and never answers; postgres.js then cancels the query,
//   drops a connection whose cancel goes unanswered, and connects again for the next one.
import { StoreError, StoreUnavailableError } from '../errors.ts'
import { applyRotation, rotationChanged } from './rotation.ts'
import { FAMILY_COLUMNS, familyRecord, familyValues, legacyTextEscapes, migrationToV3, schema, SCHEMA_VERSION, storedExpiry, storedText, tables, textFromStore, type FamilyRow } from './schema.ts'
import type { FamilyRecord, RevocationQuery, RotateRequest, RotateResult, TokenStore } from './types.ts'
import { judgedInstantMs, RevocationView, type Revocation } from './view.ts'

type Row = Record<string, unknown>
type Rows<T = Row> = T[] & { count: number }

/** A query of postgres.js: a promise of its rows. */
type Query<T = Row> = Promise<Rows<T>>

/** The part of postgres.js's `sql` the store uses. */
export interface PostgresSql {
  <T = Row>(strings: TemplateStringsArray, ...values: unknown[]): Query<T>
  unsafe<T = Row>(query: string, params?: unknown[], options?: { prepare?: boolean }): Query<T>
  begin<T>(work: (tx: PostgresSql) => Promise<T>): Promise<T>
  listen(channel: string, onNotify: (payload: string) => void, onListen?: () => void): Promise<{ unlisten(): Promise<void> }>
  end(options?: { timeout?: number }): Promise<void>
}

/** postgres.js's default export: `postgres(url, options)`. */
export type PostgresDriver = (url: string, options: Record<string, unknown>) => PostgresSql

/** The schema version of a v2 (hallpass 0.1) database; SCHEMA_VERSION is this code's. */
export const POSTGRES_SCHEMA_VERSION = SCHEMA_VERSION

const CHANNEL = 'hallpass_revocation'
/** Largest NOTIFY payload carried whole; a longer one (a huge `sub`) says only "read the table". */
const MAX_NOTIFY_BYTES = 7000
/** Any number for pg_advisory_xact_lock: nodes starting together migrate one at a time. */
const MIGRATION_LOCK = 0x68616c6c
const T = tables('postgres')
/**
 * The statements every message runs are prepared once per connection: planning the rotation (its
 * cut-off subquery included) on every call cost PostgreSQL 2.5 times the CPU, and the node most of
 * its gap to the floor (bench: refresh 0.38× → 0.79× the one-statement floor, generate 0.47× → 0.80×).
 */
const PREPARED = { prepare: true } as const

export interface PostgresStoreOptions {
  /** The most connections this node opens, the listening one included (HALLPASS_STORE_POOL). */
  pool: number
  /** The longest a change waits for the database, and the wait at start, ms (HALLPASS_STORE_WAIT). */
  waitMs: number
  /**
   * HALLPASS_REVOCATION_STALENESS: the most this node's view may lag behind the revocations other
   * nodes commit, ms (1000 by default). 0: every verify asks the database (a round trip each).
   */
  stalenessMs?: number
  /** Backstop read of the revocations, ms: 500, or half the staleness if less. */
  pollMs?: number
  /** How often expired rows are purged, ms. */
  purgeMs?: number
  /** Epoch milliseconds (`Date.now`). */
  clock?: () => number
  /** Diagnostics (stderr): never the connection string, a token or a password. */
  log?: (message: string) => void
}

interface RevocationRow {
  seq: string
  jti: string | null
  sub: string | null
  cutoff_ms: string | null
  expires_at: string
}

/** What a NOTIFY carries: one revocation, or (too long to carry) nothing but the news. */
type Notice = Revocation | { reload: true }

/** The reason of a failure, for stderr: the error's code and message, never a query's parameters. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error'
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message
}

/**
 * Whether waiting may help: no answer, a connection refused or cut, a server starting or shutting
 * down, too many connections. Any other SQLSTATE (a wrong password, role or database, an error in
 * the schema) stops the node at once with its cause, instead of after HALLPASS_STORE_WAIT.
 */
function worthWaiting(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true
  return code.startsWith('08') || code.startsWith('57P') || code.startsWith('53')
}

class Timeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms / 1000} s`)
  }
}

/** `work`, or a Timeout once `ms` have passed (the work itself is left to postgres.js's query_timeout). */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Timeout(ms)), ms)))
  return Promise.race([work, late]).finally(() => timer !== undefined && clearTimeout(timer))
}

/** Opens the store: connects within `waitMs`, creates or migrates the schema; throws StoreError. */
export async function connectPostgresStore(driver: PostgresDriver, url: string, options: PostgresStoreOptions): Promise<PostgresStore> {
  const log = options.log ?? (() => undefined)
  const seconds = Math.max(1, Math.ceil(options.waitMs / 1000))
  let sql: PostgresSql
  try {
    sql = driver(url, {
      // One connection of the pool is the listening one (postgres.js opens it apart from `max`).
      max: Math.max(1, options.pool - 1),
      connect_timeout: seconds,
      // A change waits at most this, for a connection and for its answer together; then the query
      // is canceled, and a connection whose cancel goes unanswered for a second is dropped.
      query_timeout: seconds,
      cancel_timeout: 1,
      keep_alive: 10,
      idle_timeout: 60,
      onnotice: () => undefined,
      // hallpass's own types only: no round trip at connect to learn array types.
      fetch_types: false,
      connection: { application_name: 'hallpass' },
    })
  } catch (error) {
    // A connection string postgres.js cannot parse; its text may hold a password, so it is not shown.
    throw new StoreError('HALLPASS_STORE is not a PostgreSQL connection string postgres://user:password@host:port/database', { cause: error })
  }
  const deadline = Date.now() + options.waitMs
  for (;;) {
    try {
      await within(Math.max(1, deadline - Date.now()), migrate(sql))
      break
    } catch (error) {
      const fatal = error instanceof StoreError || !worthWaiting(error)
      if (fatal || Date.now() >= deadline) {
        await sql.end({ timeout: 0 }).catch(() => undefined)
        if (error instanceof StoreError) throw error
        const waited = fatal ? '' : ` (waited ${options.waitMs / 1000} s; HALLPASS_STORE_WAIT sets the wait)`
        throw new StoreError(`the PostgreSQL store cannot be reached or used${waited}: ${reason(error)}`, { cause: error })
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  const store = new PostgresStore(sql, options, log)
  try {
    await within(Math.max(1000, deadline - Date.now()), store.start())
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => undefined)
    throw new StoreError(`the PostgreSQL store cannot be read: ${reason(error)}`, { cause: error })
  }
  return store
}

/** Creates the schema in a new database, brings a v2 one up to date, refuses a newer one. */
async function migrate(sql: PostgresSql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`
    await tx`CREATE TABLE IF NOT EXISTS hallpass_schema (version integer NOT NULL)`
    const rows = await tx<{ version: number }>`SELECT version FROM hallpass_schema`
    const version = rows[0]?.version ?? 0
    if (rows.length === 0) await tx`INSERT INTO hallpass_schema (version) VALUES (0)`
    if (version > SCHEMA_VERSION) {
      throw new StoreError(`the PostgreSQL store has schema ${version}, newer than this hallpass knows (${SCHEMA_VERSION}): run a newer hallpass on it`)
    }
    if (version === 0) {
      for (const statement of schema('postgres')) await tx.unsafe(statement)
    } else if (version === 1) {
      for (const statement of migrationToV3('postgres')) await tx.unsafe(statement)
      for (const { select, update } of legacyTextEscapes('postgres')) {
        for (const row of await tx.unsafe<{ key: unknown; text: string }>(select)) await tx.unsafe(update, [storedText(row.text), row.key])
      }
    }
    if (version !== SCHEMA_VERSION) await tx`UPDATE hallpass_schema SET version = ${SCHEMA_VERSION}`
  })
}

const INSERT_FAMILY = `INSERT INTO ${T.family} (${FAMILY_COLUMNS.join(', ')}) VALUES (${FAMILY_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${FAMILY_COLUMNS.slice(1).map((column) => `${column} = excluded.${column}`).join(', ')}`

/** The rotation when it succeeds: one statement, the cut-off check included ($6: the stored `sub`). */
const ROTATE = `UPDATE ${T.family} AS f SET generation = f.generation + 1, current_jti = $3, current_iat = $4, expires_at = $5, rotated_at = $7
  WHERE f.id = $1 AND f.generation = $2 AND NOT f.revoked AND f.expires_at > $7
    AND NOT EXISTS (SELECT 1 FROM ${T.subject} AS s WHERE s.sub = $6 AND s.expires_at > $7 AND s.cutoff_ms > f.auth_time_ms)
  RETURNING f.claims, f.auth_time_ms`

const SELECT_FOR_UPDATE = `SELECT ${FAMILY_COLUMNS.slice(1).join(', ')} FROM ${T.family} WHERE id = $1 FOR UPDATE`
const SELECT_CUTOFF = `SELECT cutoff_ms FROM ${T.subject} WHERE sub = $1 AND expires_at > $2`
const UPDATE_FAMILY = `UPDATE ${T.family} SET generation = $2, revoked = $3, current_jti = $4, current_iat = $5, expires_at = $6, rotated_at = $7 WHERE id = $1`

/** A verify that asks the database (staleness 0): the token's jti revoked, and its subject's cut-off, in one round trip. */
const IS_REVOKED = `SELECT EXISTS (SELECT 1 FROM ${T.revocation} WHERE jti = $1 AND expires_at > $3) AS revoked,
  (SELECT cutoff_ms FROM ${T.subject} WHERE sub = $2 AND expires_at > $3) AS cutoff_ms`

/** A revoked access token, and the news of it to every node, in one statement. */
const REVOKE_TOKEN = `WITH added AS (INSERT INTO ${T.revocation} (jti, sub, cutoff_ms, expires_at) VALUES ($1, $2, NULL, $3))
  SELECT pg_notify('${CHANNEL}', $4)`

/** A subject's cut-off: logged, kept by key for rotations, and told to every node, in one statement. */
const REVOKE_SUBJECT = `WITH added AS (INSERT INTO ${T.revocation} (jti, sub, cutoff_ms, expires_at) VALUES (NULL, $1, $2, $3)),
  kept AS (INSERT INTO ${T.subject} (sub, cutoff_ms, expires_at) VALUES ($1, $2, $3)
    ON CONFLICT (sub) DO UPDATE SET cutoff_ms = GREATEST(${T.subject}.cutoff_ms, excluded.cutoff_ms), expires_at = GREATEST(${T.subject}.expires_at, excluded.expires_at))
  SELECT pg_notify('${CHANNEL}', $4)`

export class PostgresStore implements TokenStore {
  readonly #sql: PostgresSql
  readonly #log: (message: string) => void
  readonly #clock: () => number
  readonly #options: PostgresStoreOptions
  /** The revocations known to this node: every verify reads this, never the database. */
  readonly #view = new RevocationView()
  readonly #timers: Array<ReturnType<typeof setInterval>> = []
  #closed = false
  #unlisten: (() => Promise<void>) | undefined

  constructor(sql: PostgresSql, options: PostgresStoreOptions, log: (message: string) => void) {
    this.#sql = sql
    this.#options = options
    this.#log = log
    this.#clock = options.clock ?? Date.now
  }

  /** Loads every live revocation, then listens and polls; from here the view is current. */
  async start(): Promise<void> {
    await this.#read(false)
    const listening = await this.#sql.listen(
      CHANNEL,
      (payload) => this.#notified(payload),
      // On the first LISTEN and after every reconnect: what was missed while it was down.
      () => void this.#refresh(),
    )
    this.#unlisten = listening.unlisten
    const stalenessMs = this.#options.stalenessMs ?? 1000
    this.#timers.push(setInterval(() => void this.#refresh(), this.#options.pollMs ?? Math.max(1, Math.min(500, stalenessMs / 2))))
    this.#timers.push(setInterval(() => void this.#purge(), this.#options.purgeMs ?? 60_000))
    for (const timer of this.#timers) (timer as { unref?: () => void }).unref?.()
  }

  /** A change: its result, or error 11 once HALLPASS_STORE_WAIT has passed or the database failed. */
  async #change<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreUnavailableError()
    try {
      return await within(this.#options.waitMs, work())
    } catch (error) {
      this.#log(`store unavailable: ${reason(error)}`)
      throw new StoreUnavailableError({ cause: error })
    }
  }

  createFamily(id: string, record: FamilyRecord): Promise<void> {
    return this.#change(async () => void (await this.#sql.unsafe(INSERT_FAMILY, familyValues(id, record, 'postgres'), PREPARED)))
  }

  rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> {
    const { generation, next, now } = request
    const sub = request.sub === undefined ? null : storedText(request.sub)
    return this.#change(async () => {
      const [row] = await this.#sql.unsafe<{ claims: string; auth_time_ms: string }>(ROTATE, [id, generation, next.jti, next.iat, next.exp, sub, now], PREPARED)
      if (row !== undefined) return { status: 'rotated', claims: JSON.parse(row.claims), authTimeMs: Number(row.auth_time_ms) }
      return await this.#sql.begin(async (tx) => {
        const [current] = await tx.unsafe<FamilyRow>(SELECT_FOR_UPDATE, [id], PREPARED)
        if (current === undefined || Number(current.expires_at) <= now) return { status: 'unknown' }
        const [cutoff] = sub === null ? [] : await tx.unsafe<{ cutoff_ms: string }>(SELECT_CUTOFF, [sub, now], PREPARED)
        const family = familyRecord(current)
        const before = { revoked: family.revoked, generation: family.generation }
        const result = applyRotation(family, request, cutoff === undefined ? undefined : Number(cutoff.cutoff_ms))
        if (rotationChanged(before, family)) {
          const { current: token } = family
          await tx.unsafe(UPDATE_FAMILY, [id, family.generation, family.revoked, token.jti, token.iat, token.exp, family.rotatedAt], PREPARED)
        }
        return result
      })
    })
  }

  revokeFamily(id: string, now: number): Promise<boolean> {
    return this.#change(async () => (await this.#sql.unsafe(`UPDATE ${T.family} SET revoked = true WHERE id = $1 AND expires_at > $2`, [id, now], PREPARED)).count > 0)
  }

  async revokeToken(jti: string, sub: string | undefined, expiresAt: number, now: number): Promise<void> {
    const until = storedExpiry(expiresAt)
    await this.#change(() => this.#sql.unsafe(REVOKE_TOKEN, [storedText(jti), sub === undefined ? null : storedText(sub), until, notice({ jti, sub, expiresAt: until })], PREPARED))
    this.#view.revokeToken(jti, until, now)
  }

  async revokeSubject(sub: string, cutoffMs: number, expiresAt: number, now: number): Promise<void> {
    const until = storedExpiry(expiresAt)
    await this.#change(() => this.#sql.unsafe(REVOKE_SUBJECT, [storedText(sub), cutoffMs, until, notice({ sub, cutoffMs, expiresAt: until })], PREPARED))
    this.#view.revokeSubject(sub, cutoffMs, until, now)
  }

  /**
   * From the view in memory: no database round trip. At staleness 0, from the database itself (one
   * round trip a verify; error 11 while it cannot be reached).
   */
  isRevoked(query: RevocationQuery, now: number): boolean | Promise<boolean> {
    const known = this.#view.isRevoked(query, now)
    if (known || (this.#options.stalenessMs ?? 1000) > 0) return known
    const jti = query.jti === undefined ? null : storedText(query.jti)
    const sub = query.sub === undefined ? null : storedText(query.sub)
    return this.#change(async () => {
      const [row] = await this.#sql.unsafe<{ revoked: boolean; cutoff_ms: string | null }>(IS_REVOKED, [jti, sub, now], PREPARED)
      return row!.revoked || (row!.cutoff_ms !== null && judgedInstantMs(query) < Number(row!.cutoff_ms))
    })
  }

  async catchUp(): Promise<void> {
    await this.#read(true)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const timer of this.#timers) clearInterval(timer)
    await this.#unlisten?.().catch(() => undefined)
    await this.#sql.end({ timeout: 5 })
  }

  #notified(payload: string): void {
    let told: Notice
    try {
      told = JSON.parse(payload) as Notice
    } catch {
      return
    }
    if ('reload' in told) void this.#refresh()
    else this.#view.apply(told, Math.floor(this.#clock() / 1000))
  }

  /** The backstop read; says on stderr when the view goes stale and when it is current again. */
  async #refresh(): Promise<void> {
    if (this.#closed) return
    try {
      await this.#read(true)
      this.#view.markCurrent(true, this.#log)
    } catch (error) {
      this.#view.markCurrent(false, this.#log, reason(error))
    }
  }

  /** Rows after the last one seen, and those of the last 5 s (a lower seq may commit late). */
  async #read(recentToo: boolean): Promise<void> {
    const now = Math.floor(this.#clock() / 1000)
    const rows = recentToo
      ? await this.#sql<RevocationRow>`
          SELECT seq, jti, sub, cutoff_ms, expires_at FROM hallpass_revocation
          WHERE (seq > ${this.#view.lastSeq} OR created_at > clock_timestamp() - interval '5 seconds') AND expires_at > ${now}
          ORDER BY seq`
      : await this.#sql<RevocationRow>`
          SELECT seq, jti, sub, cutoff_ms, expires_at FROM hallpass_revocation WHERE expires_at > ${now} ORDER BY seq`
    for (const row of rows) {
      this.#view.lastSeq = Math.max(this.#view.lastSeq, Number(row.seq))
      this.#view.apply(
        {
          jti: row.jti === null ? undefined : textFromStore(row.jti),
          sub: row.sub === null ? undefined : textFromStore(row.sub),
          cutoffMs: row.cutoff_ms === null ? undefined : Number(row.cutoff_ms),
          expiresAt: Number(row.expires_at),
        },
        now,
      )
    }
  }

  /** Deletes expired rows in bounded batches; any node may do it, a few at a time is enough. */
  async #purge(): Promise<void> {
    if (this.#closed) return
    const now = Math.floor(this.#clock() / 1000)
    try {
      await this.#sql.unsafe(`DELETE FROM ${T.family} WHERE id IN (SELECT id FROM ${T.family} WHERE expires_at <= $1 LIMIT 5000)`, [now])
      await this.#sql.unsafe(`DELETE FROM ${T.revocation} WHERE seq IN (SELECT seq FROM ${T.revocation} WHERE expires_at <= $1 LIMIT 5000)`, [now])
      await this.#sql.unsafe(`DELETE FROM ${T.subject} WHERE sub IN (SELECT sub FROM ${T.subject} WHERE expires_at <= $1 LIMIT 5000)`, [now])
    } catch {
      // Unreachable: the view's own read says so on stderr; the next purge tries again.
    }
  }
}

/** The NOTIFY payload of a revocation: the row itself, or only the news when it is too long to carry. */
function notice(revocation: Revocation): string {
  const payload = JSON.stringify(revocation)
  return new TextEncoder().encode(payload).length > MAX_NOTIFY_BYTES ? JSON.stringify({ reload: true }) : payload
}
