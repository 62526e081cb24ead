// HALLPASS_STORE=postgres://…: the store in a PostgreSQL database that nodes on several machines
// share, over postgres.js (the `postgres` package: no dependencies of its own, pipelining, and
// LISTEN with reconnects built in, which is what keeping every node's view current needs).
//
// - One winner per refresh token, across machines: a rotation is one transaction that reads the
//   family with SELECT … FOR UPDATE. The row lock makes a second rotation of the same family wait
//   until the first has committed, and READ COMMITTED then hands it the row as the first left it,
//   so it sees the generation already spent: no interleaving gives two winners.
// - Durable before acknowledged: every change is committed (synchronous_commit, PostgreSQL's
//   default) before its promise resolves, and the node replies only then.
// - No database round trip per verify: revocations are held in memory (a MemoryStore as the view),
//   loaded at start, pushed to every node by NOTIFY in the revoking transaction (delivered at its
//   commit), and read again every 500 ms as a backstop for notifications missed while the
//   listening connection was down (it reconnects with a backoff of its own). A sequence orders
//   the rows but not the commits, so the backstop also re-reads the rows of the last 5 seconds:
//   applying a revocation twice is harmless.
// - Outages: a change that cannot be made answers error 11 `Store unavailable`; verify goes on with
//   the revocations known, and the node says on stderr that its view is stale, then that it is
//   current again. postgres.js reconnects by itself.
import type { Sql } from 'postgres'
import { StoreError, StoreUnavailableError } from '../errors.ts'
import type { JsonObject } from '../jws/compact.ts'
import { MemoryStore } from '../store/memory.ts'
import { applyRotation } from '../store/rotation.ts'
import type { FamilyRecord, RevocationQuery, RotateRequest, RotateResult, TokenStore } from '../store/types.ts'

/** The schema this code writes (`hallpass_schema.version`). A database of a later one is refused. */
export const POSTGRES_SCHEMA_VERSION = 1

const CHANNEL = 'hallpass_revocation'
/** Largest NOTIFY payload carried whole; a longer one (a huge `sub`) says only "read the table". */
const MAX_NOTIFY_BYTES = 7000
/** Any number for pg_advisory_xact_lock: nodes starting together migrate one at a time. */
const MIGRATION_LOCK = 0x68616c6c

const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE hallpass_family (
      id text PRIMARY KEY,
      claims text NOT NULL,
      generation integer NOT NULL,
      revoked boolean NOT NULL,
      current_jti text NOT NULL,
      current_iat bigint NOT NULL,
      expires_at bigint NOT NULL,
      rotated_at bigint NOT NULL
    )`,
    'CREATE INDEX hallpass_family_expiry ON hallpass_family (expires_at)',
    // Every revocation: a revoked access token (jti) or a subject's cut-off.
    `CREATE TABLE hallpass_revocation (
      seq bigserial PRIMARY KEY,
      jti text,
      sub text,
      cutoff_ms bigint,
      expires_at bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`,
    'CREATE INDEX hallpass_revocation_expiry ON hallpass_revocation (expires_at)',
    'CREATE INDEX hallpass_revocation_created ON hallpass_revocation (created_at)',
  ],
]

export interface PostgresStoreOptions {
  /** The most connections this node opens, the listening one included (HALLPASS_STORE_POOL). */
  pool: number
  /** How long to wait for the database at start, and for a connection per change, ms. */
  waitMs: number
  /** Backstop read of the revocations, ms. */
  pollMs?: number
  /** How often expired rows are purged, ms. */
  purgeMs?: number
  /** Epoch milliseconds (`Date.now`). */
  clock?: () => number
  /** Diagnostics (stderr): never the connection string, a token or a password. */
  log?: (message: string) => void
}

interface FamilyRow {
  claims: string
  generation: number
  revoked: boolean
  current_jti: string
  current_iat: string
  expires_at: string
  rotated_at: string
}

interface RevocationRow {
  seq: string
  jti: string | null
  sub: string | null
  cutoff_ms: string | null
  expires_at: string
}

/** What a NOTIFY carries: one revocation, or (too long to carry) nothing but the news. */
type Notice = { jti?: string; sub?: string; cutoffMs?: number; expiresAt: number } | { reload: true }

/** The reason of a failure, for stderr: the error's code and message, never a query's parameters. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error'
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message
}

/** Opens the store: connects within `waitMs`, creates or checks the schema; throws StoreError. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions): Promise<PostgresStore> {
  const { default: postgres } = await import('postgres')
  const log = options.log ?? (() => undefined)
  const seconds = Math.max(1, Math.ceil(options.waitMs / 1000))
  let sql: Sql
  try {
    sql = postgres(url, {
      // One connection of the pool is the listening one (postgres.js opens it apart from `max`).
      max: Math.max(1, options.pool - 1),
      connect_timeout: seconds,
      queue_timeout: seconds,
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
      await migrate(sql)
      break
    } catch (error) {
      if (error instanceof StoreError) {
        await sql.end({ timeout: 1 })
        throw error
      }
      if (Date.now() >= deadline) {
        await sql.end({ timeout: 1 })
        throw new StoreError(`the PostgreSQL store cannot be reached or used (waited ${options.waitMs / 1000} s; HALLPASS_STORE_WAIT sets the wait): ${reason(error)}`, { cause: error })
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  const store = new PostgresStore(sql, options, log)
  try {
    await store.start()
  } catch (error) {
    await sql.end({ timeout: 1 })
    throw new StoreError(`the PostgreSQL store cannot be read: ${reason(error)}`, { cause: error })
  }
  return store
}

/** Creates the schema in a new database, brings an older one up to date, refuses a newer one. */
async function migrate(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`
    await tx`CREATE TABLE IF NOT EXISTS hallpass_schema (version integer NOT NULL)`
    const rows = await tx<{ version: number }[]>`SELECT version FROM hallpass_schema`
    let version = rows[0]?.version ?? 0
    if (rows.length === 0) await tx`INSERT INTO hallpass_schema (version) VALUES (0)`
    if (version > POSTGRES_SCHEMA_VERSION) {
      throw new StoreError(`the PostgreSQL store has schema ${version}, newer than this hallpass knows (${POSTGRES_SCHEMA_VERSION}): run a newer hallpass on it`)
    }
    for (; version < POSTGRES_SCHEMA_VERSION; version++) {
      for (const statement of MIGRATIONS[version]!) await tx.unsafe(statement)
      await tx`UPDATE hallpass_schema SET version = ${version + 1}`
    }
  })
}

export class PostgresStore implements TokenStore {
  readonly #sql: Sql
  readonly #log: (message: string) => void
  readonly #clock: () => number
  readonly #options: PostgresStoreOptions
  /** The revocations known to this node: every verify reads this, never the database. */
  readonly #view = new MemoryStore()
  #lastSeq = 0
  readonly #timers: ReturnType<typeof setInterval>[] = []
  #stale = false
  #closed = false
  #unlisten: (() => Promise<void>) | undefined

  constructor(sql: Sql, options: PostgresStoreOptions, log: (message: string) => void) {
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
    this.#timers.push(setInterval(() => void this.#refresh(), this.#options.pollMs ?? 500))
    this.#timers.push(setInterval(() => void this.#purge(), this.#options.purgeMs ?? 60_000))
    for (const timer of this.#timers) timer.unref()
  }

  async #change<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreUnavailableError()
    try {
      return await work()
    } catch (error) {
      this.#log(`store unavailable: ${reason(error)}`)
      throw new StoreUnavailableError({ cause: error })
    }
  }

  createFamily(id: string, record: FamilyRecord): Promise<void> {
    const { current } = record
    return this.#change(async () => {
      await this.#sql`
        INSERT INTO hallpass_family (id, claims, generation, revoked, current_jti, current_iat, expires_at, rotated_at)
        VALUES (${id}, ${JSON.stringify(record.claims)}, ${record.generation}, ${record.revoked}, ${current.jti}, ${current.iat}, ${current.exp}, ${record.rotatedAt})
        ON CONFLICT (id) DO UPDATE SET claims = excluded.claims, generation = excluded.generation, revoked = excluded.revoked,
          current_jti = excluded.current_jti, current_iat = excluded.current_iat, expires_at = excluded.expires_at, rotated_at = excluded.rotated_at`
    })
  }

  rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> {
    return this.#change(() =>
      this.#sql.begin(async (tx) => {
        // FOR UPDATE: see the comment at the top of this file for why this gives one winner.
        const [row] = await tx<FamilyRow[]>`
          SELECT claims, generation, revoked, current_jti, current_iat, expires_at, rotated_at
          FROM hallpass_family WHERE id = ${id} FOR UPDATE`
        if (row === undefined || Number(row.expires_at) <= request.now) return { status: 'unknown' } as RotateResult
        const family: FamilyRecord = {
          claims: JSON.parse(row.claims) as JsonObject,
          generation: row.generation,
          revoked: row.revoked,
          current: { jti: row.current_jti, iat: Number(row.current_iat), exp: Number(row.expires_at) },
          rotatedAt: Number(row.rotated_at),
        }
        const result = applyRotation(family, request)
        if (result.status === 'rotated' || result.status === 'reused') {
          const { current } = family
          await tx`
            UPDATE hallpass_family SET generation = ${family.generation}, revoked = ${family.revoked}, current_jti = ${current.jti},
              current_iat = ${current.iat}, expires_at = ${current.exp}, rotated_at = ${family.rotatedAt}
            WHERE id = ${id}`
        }
        return result
      }),
    )
  }

  revokeFamily(id: string, now: number): Promise<boolean> {
    return this.#change(async () => (await this.#sql`UPDATE hallpass_family SET revoked = true WHERE id = ${id} AND expires_at > ${now}`).count > 0)
  }

  async revokeToken(jti: string, sub: string | undefined, expiresAt: number, now: number): Promise<void> {
    await this.#revocation({ jti, sub, expiresAt }, null)
    this.#view.revokeToken(jti, sub, expiresAt, now)
  }

  async revokeSubject(sub: string, cutoffMs: number, expiresAt: number, now: number): Promise<void> {
    await this.#revocation({ sub, cutoffMs, expiresAt }, cutoffMs)
    this.#view.revokeSubject(sub, cutoffMs, expiresAt, now)
  }

  /** Inserts a revocation and tells every node, in one transaction: the NOTIFY goes out at commit. */
  #revocation(notice: { jti?: string; sub?: string | undefined; cutoffMs?: number; expiresAt: number }, cutoffMs: number | null): Promise<void> {
    let payload = JSON.stringify(notice)
    if (new TextEncoder().encode(payload).length > MAX_NOTIFY_BYTES) payload = JSON.stringify({ reload: true })
    return this.#change(async () => {
      await this.#sql.begin((tx) => [
        tx`INSERT INTO hallpass_revocation (jti, sub, cutoff_ms, expires_at) VALUES (${notice.jti ?? null}, ${notice.sub ?? null}, ${cutoffMs}, ${notice.expiresAt})`,
        tx`SELECT pg_notify(${CHANNEL}, ${payload})`,
      ])
    })
  }

  /** From the view in memory: no database round trip. */
  isRevoked(query: RevocationQuery, now: number): boolean {
    return this.#view.isRevoked(query, now)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const timer of this.#timers) clearInterval(timer)
    await this.#unlisten?.().catch(() => undefined)
    await this.#sql.end({ timeout: 5 })
  }

  #notified(payload: string): void {
    let notice: Notice
    try {
      notice = JSON.parse(payload) as Notice
    } catch {
      return
    }
    if ('reload' in notice) {
      void this.#refresh()
      return
    }
    const now = Math.floor(this.#clock() / 1000)
    if (notice.cutoffMs !== undefined && notice.sub !== undefined) this.#view.revokeSubject(notice.sub, notice.cutoffMs, notice.expiresAt, now)
    else if (notice.jti !== undefined) this.#view.revokeToken(notice.jti, notice.sub, notice.expiresAt, now)
  }

  /** The backstop read; says on stderr when the view goes stale and when it is current again. */
  async #refresh(): Promise<void> {
    if (this.#closed) return
    try {
      await this.#read(true)
      if (this.#stale) this.#log('store: reachable again; revocations are current')
      this.#stale = false
    } catch (error) {
      if (!this.#stale) this.#log(`store: cannot read revocations, so this node's view of them is stale: verifying with those known so far (${reason(error)})`)
      this.#stale = true
    }
  }

  /** Rows after the last one seen, and those of the last 5 s (a lower seq may commit late). */
  async #read(recentToo: boolean): Promise<void> {
    const now = Math.floor(this.#clock() / 1000)
    const rows = recentToo
      ? await this.#sql<RevocationRow[]>`
          SELECT seq, jti, sub, cutoff_ms, expires_at FROM hallpass_revocation
          WHERE (seq > ${this.#lastSeq} OR created_at > clock_timestamp() - interval '5 seconds') AND expires_at > ${now}
          ORDER BY seq`
      : await this.#sql<RevocationRow[]>`
          SELECT seq, jti, sub, cutoff_ms, expires_at FROM hallpass_revocation WHERE expires_at > ${now} ORDER BY seq`
    for (const row of rows) {
      this.#lastSeq = Math.max(this.#lastSeq, Number(row.seq))
      const expiresAt = Number(row.expires_at)
      if (row.cutoff_ms !== null && row.sub !== null) this.#view.revokeSubject(row.sub, Number(row.cutoff_ms), expiresAt, now)
      else if (row.jti !== null) this.#view.revokeToken(row.jti, row.sub ?? undefined, expiresAt, now)
    }
  }

  /** Deletes expired rows in bounded batches; any node may do it, a few at a time is enough. */
  async #purge(): Promise<void> {
    if (this.#closed) return
    const now = Math.floor(this.#clock() / 1000)
    try {
      await this.#sql`DELETE FROM hallpass_family WHERE id IN (SELECT id FROM hallpass_family WHERE expires_at <= ${now} LIMIT 5000)`
      await this.#sql`DELETE FROM hallpass_revocation WHERE seq IN (SELECT seq FROM hallpass_revocation WHERE expires_at <= ${now} LIMIT 5000)`
    } catch {
      // Unreachable: the view's own read says so on stderr; the next purge tries again.
    }
  }
}
