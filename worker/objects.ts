// The edge's state, in SQLite-backed Durable Objects. Every method does its reads and writes with
// synchronous `ctx.storage.sql` calls before its first `await`, so no other call to the same
// object can interleave: a compare-and-rotate is atomic without explicit transactions.
import { DurableObject } from 'cloudflare:workers'
import { applyRotation, issuedAtMs, type FamilyRecord, type RevocationQuery, type RotateRequest, type RotateResult } from '../src/index.ts'

interface FamilyRow extends Record<string, SqlStorageValue> {
  id: string
  claims: string
  generation: number
  revoked: number
  /** The current refresh token's id and times (expires_at is its exp): no token is stored. */
  current_jti: string
  current_iat: number
  expires_at: number
  rotated_at: number
}

function recordOf(row: FamilyRow): FamilyRecord {
  return {
    claims: JSON.parse(row.claims),
    generation: row.generation,
    revoked: row.revoked !== 0,
    current: { jti: row.current_jti, iat: row.current_iat, exp: row.expires_at },
    rotatedAt: row.rotated_at,
  }
}

/**
 * One refresh family per instance (the namespace is addressed with idFromName(family id)), so
 * families never contend with each other. An alarm at the family's expiry deletes its storage.
 */
export class RefreshFamilies extends DurableObject<object> {
  /** Whether the table exists: created on first use, and again after the expiry alarm wiped storage. */
  #ready = false

  #sql(): SqlStorage {
    const sql = this.ctx.storage.sql
    if (!this.#ready) {
      sql.exec(
        `CREATE TABLE IF NOT EXISTS family (
          id TEXT PRIMARY KEY,
          claims TEXT NOT NULL,
          generation INTEGER NOT NULL,
          revoked INTEGER NOT NULL,
          current_jti TEXT NOT NULL,
          current_iat INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          rotated_at INTEGER NOT NULL
        )`,
      )
      this.#ready = true
    }
    return sql
  }

  #live(id: string, now: number): FamilyRow | undefined {
    const row = this.#sql().exec<FamilyRow>('SELECT * FROM family WHERE id = ?', id).toArray()[0]
    return row === undefined || row.expires_at <= now ? undefined : row
  }

  async create(id: string, record: FamilyRecord, _now: number): Promise<void> {
    this.#sql().exec(
      `INSERT OR REPLACE INTO family (id, claims, generation, revoked, current_jti, current_iat, expires_at, rotated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      id, JSON.stringify(record.claims), record.generation, record.revoked ? 1 : 0,
      record.current.jti, record.current.iat, record.current.exp, record.rotatedAt,
    )
    await this.ctx.storage.setAlarm(record.current.exp * 1000)
  }

  /** TokenStore.rotateFamily: the core's own rule (`applyRotation`) on the stored row. */
  async rotate(id: string, request: RotateRequest): Promise<RotateResult> {
    const row = this.#live(id, request.now)
    if (row === undefined) return { status: 'unknown' }
    const family = recordOf(row)
    const result = applyRotation(family, request)
    if (result.status === 'rotated') {
      this.#sql().exec(
        'UPDATE family SET generation = ?, current_jti = ?, current_iat = ?, expires_at = ?, rotated_at = ? WHERE id = ?',
        family.generation, family.current.jti, family.current.iat, family.current.exp, family.rotatedAt, id,
      )
      await this.ctx.storage.setAlarm(family.current.exp * 1000)
    } else if (result.status === 'reused') {
      this.#sql().exec('UPDATE family SET revoked = 1 WHERE id = ?', id)
    }
    return result
  }

  revoke(id: string, now: number): boolean {
    if (this.#live(id, now) === undefined) return false
    this.#sql().exec('UPDATE family SET revoked = 1 WHERE id = ?', id)
    return true
  }

  /** The family as stored, for tests and diagnostics (no token material is stored at all). */
  inspect(id: string): { generation: number; revoked: boolean; expiresAt: number } | null {
    const row = this.#sql().exec<FamilyRow>('SELECT * FROM family WHERE id = ?', id).toArray()[0]
    return row === undefined ? null : { generation: row.generation, revoked: row.revoked !== 0, expiresAt: row.expires_at }
  }

  /** At the family's expiry: its storage is wiped, since no token of it can verify any more. */
  override async alarm(): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    const latest = this.#sql().exec<{ expires_at: number | null }>('SELECT MAX(expires_at) AS expires_at FROM family').one().expires_at
    if (latest !== null && latest > now) {
      await this.ctx.storage.setAlarm(latest * 1000)
      return
    }
    await this.ctx.storage.deleteAll()
    this.#ready = false
  }
}

/**
 * The Revocations instance that answers for a token: its subject's (every token of a subject, so
 * one object holds both its revoked jtis and its cut-off: verify is one round trip), or for a token
 * without `sub` its own jti's. Undefined when the token has neither: nothing can revoke it.
 */
export function revocationsName(jti: string | undefined, sub: string | undefined): string | undefined {
  if (sub !== undefined) return `sub:${sub}`
  return jti === undefined ? undefined : `jti:${jti}`
}

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
      jti, expiresAt,
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
    if (query.jti !== undefined && sql.exec('SELECT 1 FROM revoked WHERE jti = ? AND expires_at > ?', query.jti, now).toArray().length > 0) return true
    const cutoff = sql.exec<CutoffRow>('SELECT cutoff_ms, expires_at FROM cutoff').toArray()[0]
    return cutoff !== undefined && cutoff.expires_at > now && issuedAtMs(query.jti, query.iat) < cutoff.cutoff_ms
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
    const alarm = await this.ctx.storage.getAlarm()
    if (alarm === null || alarm < expiresAt * 1000) await this.ctx.storage.setAlarm(expiresAt * 1000)
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
