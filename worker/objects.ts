// The edge's state, in SQLite-backed Durable Objects. Every method does its reads and writes with
// synchronous `ctx.storage.sql` calls before its first `await`, so no other call to the same
// object can interleave: a compare-and-rotate is atomic without explicit transactions.
import { DurableObject } from 'cloudflare:workers'
import { applyRotation, type FamilyRecord, type RotateRequest, type RotateResult } from '../src/index.ts'

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

/** How many Revocations instances the jti space is spread over. Changing it forgets revocations. */
export const REVOCATION_SHARDS = 16

/** The instance name holding revocations for `jti` (FNV-1a over its UTF-16 code units). */
export function revocationShard(jti: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < jti.length; i++) hash = Math.imul(hash ^ jti.charCodeAt(i), 0x01000193)
  return `revocations-${(hash >>> 0) % REVOCATION_SHARDS}`
}

/** Pruned per write: a revoked token is dead anyway once it expires. */
const SWEEP_BATCH = 256

/** Revoked access tokens (jti → until when), strongly consistent: one shard owns each jti. */
export class Revocations extends DurableObject<object> {
  constructor(ctx: DurableObjectState, env: object) {
    super(ctx, env)
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS revoked (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID')
    ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS revoked_by_expiry ON revoked (expires_at)')
  }

  revoke(jti: string, expiresAt: number, now: number): void {
    const sql = this.ctx.storage.sql
    sql.exec('DELETE FROM revoked WHERE jti IN (SELECT jti FROM revoked WHERE expires_at <= ? LIMIT ?)', now, SWEEP_BATCH)
    sql.exec(
      'INSERT INTO revoked (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)',
      jti, expiresAt,
    )
  }

  isRevoked(jti: string, now: number): boolean {
    return this.ctx.storage.sql.exec('SELECT 1 FROM revoked WHERE jti = ? AND expires_at > ?', jti, now).toArray().length > 0
  }

  /** Entries held, for tests and metrics. */
  count(): number {
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM revoked').one().n
  }
}
