// The edge's state, in SQLite-backed Durable Objects. Every method does its reads and writes with
// synchronous `ctx.storage.sql` calls before its first `await`, so no other call to the same
// object can interleave: a compare-and-rotate is atomic without explicit transactions.
import { DurableObject } from 'cloudflare:workers'
import { SqlFamilies, type SqlConnection, type SqlValue } from '../src/store/sql.ts'
import { storedText, textFromStore } from '../src/store/schema.ts'
import type { FamilyRecord, RevocationQuery, RotateRequest, RotateResult } from '../src/store/types.ts'
import { judgedInstantMs, type Revocation } from '../src/store/view.ts'

/** A Durable Object's `ctx.storage.sql` as the SQL connection the shared family code runs on. */
export function sqlConnection(sql: SqlStorage): SqlConnection {
  return {
    run: (query, ...params) => sql.exec(query, ...params).rowsWritten,
    get: <T>(query: string, ...params: SqlValue[]) => sql.exec(query, ...params).toArray()[0] as T | undefined,
    all: <T>(query: string, ...params: SqlValue[]) => sql.exec(query, ...params).toArray() as T[],
  }
}

/**
 * One refresh family per instance (the namespace is addressed with idFromName(family id)), so
 * families never contend with each other. Its table and row mapping are the SQLite file store's
 * (src/store/sql.ts). An alarm at the family's expiry deletes its storage.
 */
export class RefreshFamilies extends DurableObject<object> {
  /** The family table's operations: set up on first use, and again after the expiry alarm wiped storage. */
  #ready: SqlFamilies | undefined

  #families(): SqlFamilies {
    if (this.#ready === undefined) {
      const db = sqlConnection(this.ctx.storage.sql)
      SqlFamilies.ensureTable(db)
      this.#ready = new SqlFamilies(db)
    }
    return this.#ready
  }

  async create(id: string, record: FamilyRecord, _now: number): Promise<void> {
    this.#families().create(id, record)
    await this.ctx.storage.setAlarm(record.current.exp * 1000)
  }

  /**
   * TokenStore.rotateFamily: the core's own rule (`applyRotation`) on the stored row. `cutoffMs`
   * is the subject's cut-off, which the caller asked the subject's object for just before: a
   * revocation made since covers what this rotation mints.
   */
  async rotate(id: string, request: RotateRequest, cutoffMs?: number): Promise<RotateResult> {
    const result = this.#families().rotate(id, request, cutoffMs)
    if (result.status === 'rotated') await this.ctx.storage.setAlarm(request.next.exp * 1000)
    return result
  }

  revoke(id: string, now: number): boolean {
    return this.#families().revoke(id, now)
  }

  /** The family as stored, for tests and diagnostics (no token material is stored at all). */
  inspect(id: string): { generation: number; revoked: boolean; expiresAt: number; authTimeMs: number } | null {
    const family = this.#families().get(id)
    return family === undefined ? null : { generation: family.generation, revoked: family.revoked, expiresAt: family.current.exp, authTimeMs: family.authTimeMs }
  }

  /** At the family's expiry: its storage is wiped, since no token of it can verify any more. */
  override async alarm(): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    const latest = this.ctx.storage.sql.exec<{ expires_at: number | null }>('SELECT MAX(expires_at) AS expires_at FROM family').one().expires_at
    if (latest !== null && latest > now) {
      await this.ctx.storage.setAlarm(latest * 1000)
      return
    }
    await this.ctx.storage.deleteAll()
    this.#ready = undefined
  }
}

/**
 * The Revocations instance that answers for a token: its subject's (every token of a subject, so
 * one object holds both its revoked jtis and its cut-off: verify is one round trip), or for a token
 * without `sub` its own jti's. Undefined when the token has neither: nothing can revoke it.
 */
export function revocationsName(jti: string | undefined, sub: string | undefined): string | undefined {
  // Stored text, not the string itself: idFromName reads UTF-8, which would make every lone
  // surrogate one U+FFFD, and two subjects one object.
  if (sub !== undefined) return `sub:${storedText(sub)}`
  return jti === undefined ? undefined : `jti:${storedText(jti)}`
}

/** The latest alarm set (2100-01-01): `setAlarm` refuses dates after 2189; a later wipe waits for the next alarm. */
const LATEST_ALARM_MS = 4_102_444_800_000

interface CutoffRow extends Record<string, SqlStorageValue> {
  cutoff_ms: number
  expires_at: number
}

/**
 * The revocations of one subject: its revoked access tokens (jti → until when) and its cut-off
 * (`revoke_subject`: every token issued before an instant is refused). Strongly consistent: one
 * object owns each subject. An alarm at the latest expiry wipes the storage once nothing in it
 * can matter.
 */
export class Revocations extends DurableObject<object> {
  /** Whether the tables exist: created on first use, and again after the alarm wiped storage. */
  #ready = false

  #sql(): SqlStorage {
    const sql = this.ctx.storage.sql
    if (!this.#ready) {
      sql.exec('CREATE TABLE IF NOT EXISTS revoked (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID')
      sql.exec('CREATE TABLE IF NOT EXISTS cutoff (id INTEGER PRIMARY KEY CHECK (id = 0), cutoff_ms INTEGER NOT NULL, expires_at INTEGER NOT NULL)')
      this.#ready = true
    }
    return sql
  }

  async revokeToken(jti: string, expiresAt: number, now: number): Promise<void> {
    const sql = this.#sql()
    sql.exec('DELETE FROM revoked WHERE expires_at <= ?', now)
    sql.exec(
      'INSERT INTO revoked (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)',
      storedText(jti), expiresAt,
    )
    await this.#wipeAfter(expiresAt)
  }

  /** A later cut-off replaces an earlier one; each keeps the later expiry. */
  async revokeSubject(cutoffMs: number, expiresAt: number): Promise<void> {
    this.#sql().exec(
      `INSERT INTO cutoff (id, cutoff_ms, expires_at) VALUES (0, ?, ?)
       ON CONFLICT (id) DO UPDATE SET cutoff_ms = MAX(cutoff_ms, excluded.cutoff_ms), expires_at = MAX(expires_at, excluded.expires_at)`,
      cutoffMs, expiresAt,
    )
    await this.#wipeAfter(expiresAt)
  }

  /** TokenStore.isRevoked for a token of this object's subject (or jti). */
  isRevoked(query: RevocationQuery, now: number): boolean {
    const sql = this.#sql()
    if (query.jti !== undefined && sql.exec('SELECT 1 FROM revoked WHERE jti = ? AND expires_at > ?', storedText(query.jti), now).toArray().length > 0) return true
    const cutoffMs = this.cutoff(now)
    return cutoffMs !== undefined && judgedInstantMs(query) < cutoffMs
  }

  /** The subject's live cut-off (epoch ms), if any: what a rotation of its families is checked against. */
  cutoff(now: number): number | undefined {
    const cutoff = this.#sql().exec<CutoffRow>('SELECT cutoff_ms, expires_at FROM cutoff').toArray()[0]
    return cutoff !== undefined && cutoff.expires_at > now ? cutoff.cutoff_ms : undefined
  }

  /** Entries held, for tests and metrics. */
  count(): { revoked: number; cutoffs: number } {
    const sql = this.#sql()
    return {
      revoked: sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM revoked').one().n,
      cutoffs: sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM cutoff').one().n,
    }
  }

  /** Moves the wipe alarm to `expiresAt` if that is later than the one set. */
  async #wipeAfter(expiresAt: number): Promise<void> {
    // A NumericDate may lie beyond what an alarm can hold (exp 1e300): the alarm then fires early and is set again.
    const at = Math.min(expiresAt * 1000, LATEST_ALARM_MS)
    const alarm = await this.ctx.storage.getAlarm()
    if (alarm === null || alarm < at) await this.ctx.storage.setAlarm(at)
  }

  /** At the latest expiry: nothing stored can refuse a live token any more. */
  override async alarm(): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    const sql = this.#sql()
    const latest = Math.max(
      sql.exec<{ t: number | null }>('SELECT MAX(expires_at) AS t FROM revoked').one().t ?? 0,
      sql.exec<{ t: number | null }>('SELECT MAX(expires_at) AS t FROM cutoff').one().t ?? 0,
    )
    if (latest > now) {
      await this.ctx.storage.setAlarm(latest * 1000)
      return
    }
    await this.ctx.storage.deleteAll()
    this.#ready = false
  }
}

interface FeedRow extends Record<string, SqlStorageValue> {
  seq: number
  jti: string | null
  sub: string | null
  cutoff_ms: number | null
  expires_at: number
}

/**
 * One replica of one minute of the revocation feed (worker/feed.ts): the revocations committed in
 * that minute, in order, read by verifiers from a sequence number on. Append-only; an alarm wipes
 * it once nothing in it can refuse a live access token.
 */
export class RevocationFeed extends DurableObject<object> {
  #ready = false

  #sql(): SqlStorage {
    const sql = this.ctx.storage.sql
    if (!this.#ready) {
      sql.exec('CREATE TABLE IF NOT EXISTS entry (seq INTEGER PRIMARY KEY AUTOINCREMENT, jti TEXT, sub TEXT, cutoff_ms INTEGER, expires_at INTEGER NOT NULL)')
      this.#ready = true
    }
    return sql
  }

  /** Appends revocations (their expiry already held within the feed's window). */
  async append(entries: Revocation[]): Promise<void> {
    const sql = this.#sql()
    let latest = 0
    for (const entry of entries) {
      sql.exec(
        'INSERT INTO entry (jti, sub, cutoff_ms, expires_at) VALUES (?, ?, ?, ?)',
        entry.jti === undefined ? null : storedText(entry.jti), entry.sub === undefined ? null : storedText(entry.sub), entry.cutoffMs ?? null, entry.expiresAt,
      )
      latest = Math.max(latest, entry.expiresAt)
    }
    const alarm = await this.ctx.storage.getAlarm()
    const at = Math.min(latest * 1000, LATEST_ALARM_MS)
    if (alarm === null || alarm < at) await this.ctx.storage.setAlarm(at)
  }

  /** The entries after `seq`, and the last sequence number there is. */
  since(seq: number): { entries: Revocation[]; last: number } {
    const rows = this.#sql().exec<FeedRow>('SELECT seq, jti, sub, cutoff_ms, expires_at FROM entry WHERE seq > ? ORDER BY seq', seq).toArray()
    const entries: Revocation[] = rows.map((row) => ({
      jti: row.jti === null ? undefined : textFromStore(row.jti),
      sub: row.sub === null ? undefined : textFromStore(row.sub),
      cutoffMs: row.cutoff_ms ?? undefined,
      expiresAt: row.expires_at,
    }))
    return { entries, last: rows.length === 0 ? seq : rows[rows.length - 1]!.seq }
  }

  override async alarm(): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    const latest = this.#sql().exec<{ t: number | null }>('SELECT MAX(expires_at) AS t FROM entry').one().t ?? 0
    if (latest > now) {
      await this.ctx.storage.setAlarm(Math.min(latest * 1000, LATEST_ALARM_MS))
      return
    }
    await this.ctx.storage.deleteAll()
    this.#ready = false
  }
}
