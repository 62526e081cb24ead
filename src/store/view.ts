// A view of the revocations: revoked access tokens (jti → until when) and subjects' cut-offs, held
// in memory so that a verify asks no database. The memory store is its own view; the SQLite and
// PostgreSQL stores keep one current from their revocation log (`apply` each row, remembering the
// last sequence read), and say in the log when it goes stale and when it is current again.
import { issuedAtMs } from '../lib/random.ts'
import { ShardedMap } from './sharded-map.ts'
import type { RevocationQuery } from './types.ts'

interface Cutoff {
  cutoffMs: number
  expiresAt: number
}

/** One row of a revocation log: a revoked access token (`jti`) or a subject's cut-off. */
export interface Revocation {
  jti?: string | undefined
  sub?: string | undefined
  cutoffMs?: number | undefined
  expiresAt: number
}

/**
 * The instant (epoch ms) a subject's cut-off is compared with: the token's `auth_time` (its
 * family's login instant, PROTOCOL v3) when it carries one, else its issue instant. An
 * `auth_time` that is not a finite number counts as the earliest instant: refused by any cut-off.
 */
export function judgedInstantMs({ authTime, jti, iat }: RevocationQuery): number {
  if (authTime === undefined) return issuedAtMs(jti, iat)
  return typeof authTime === 'number' && Number.isFinite(authTime) ? Math.round(authTime * 1000) : -Infinity
}

export class RevocationView {
  readonly #tokens = new ShardedMap<number>((until) => until)
  readonly #cutoffs = new ShardedMap<Cutoff>((cutoff) => cutoff.expiresAt)
  /** The last sequence number of the log applied (stores with a log). */
  lastSeq = 0
  #stale = false
  #writes = 0

  revokeToken(jti: string, expiresAt: number, now: number): void {
    this.#sweep(now)
    this.#tokens.set(jti, Math.max(expiresAt, this.#tokens.get(jti) ?? 0))
  }

  /** A later cut-off replaces an earlier one; each keeps the later expiry. */
  revokeSubject(sub: string, cutoffMs: number, expiresAt: number, now: number): void {
    this.#sweep(now)
    const known = this.#cutoffs.get(sub)
    this.#cutoffs.set(sub, { cutoffMs: Math.max(cutoffMs, known?.cutoffMs ?? -Infinity), expiresAt: Math.max(expiresAt, known?.expiresAt ?? 0) })
  }

  /** Applies one row of a revocation log (expired rows change nothing). */
  apply(row: Revocation, now: number): void {
    if (row.expiresAt <= now) return
    if (row.cutoffMs !== undefined && row.sub !== undefined) this.revokeSubject(row.sub, row.cutoffMs, row.expiresAt, now)
    else if (row.jti !== undefined) this.revokeToken(row.jti, row.expiresAt, now)
  }

  /** The subject's live cut-off (epoch ms), if it has one. */
  cutoffOf(sub: string | undefined, now: number): number | undefined {
    if (sub === undefined || this.#cutoffs.size === 0) return undefined
    const cutoff = this.#cutoffs.get(sub)
    return cutoff !== undefined && cutoff.expiresAt > now ? cutoff.cutoffMs : undefined
  }

  isRevoked(query: RevocationQuery, now: number): boolean {
    if (query.jti !== undefined && this.#tokens.size > 0) {
      const until = this.#tokens.get(query.jti)
      if (until !== undefined && until > now) return true
    }
    const cutoffMs = this.cutoffOf(query.sub, now)
    return cutoffMs !== undefined && judgedInstantMs(query) < cutoffMs
  }

  get size(): { revokedTokens: number; subjects: number } {
    return { revokedTokens: this.#tokens.size, subjects: this.#cutoffs.size }
  }

  /**
   * Records whether the last attempt to bring the view up to date worked, and says so in `log`
   * when that changes: verify goes on with the revocations known, and the operator is told.
   */
  markCurrent(current: boolean, log: (message: string) => void, reason?: string): void {
    if (current && this.#stale) log('store: reachable again; revocations are current')
    if (!current && !this.#stale) log(`store: cannot read revocations, so this node's view of them is stale: verifying with those known so far${reason === undefined ? '' : ` (${reason})`}`)
    this.#stale = !current
  }

  get stale(): boolean {
    return this.#stale
  }

  /** One bounded sweep step over both maps (sharded-map.ts): expired entries go. */
  sweep(now: number): void {
    this.#tokens.sweep(now)
    this.#cutoffs.sweep(now)
  }

  /** A sweep step every fourth write of the view's own: see MemoryStore. */
  #sweep(now: number): void {
    if ((this.#writes++ & 3) === 0) this.sweep(now)
  }
}
