// Where refresh families and revoked access tokens live. The in-memory store is the default; the
// edge keeps the same interface in a Durable Object. Times are epoch seconds.
import type { JsonObject } from './jws.ts'

/** One refresh family: every refresh token descended from one `generate_access_token`. */
export interface FamilyRecord {
  /** The caller's claims, re-issued in every access token of the family. */
  claims: JsonObject
  /** Generation of the one refresh token that may be spent next. */
  generation: number
  revoked: boolean
  /** When the newest refresh token expires: the record may be dropped after that. */
  expiresAt: number
}

export type RotateResult =
  | { status: 'rotated'; claims: JsonObject }
  | { status: 'reused' }
  | { status: 'revoked' }
  | { status: 'unknown' }

export interface TokenStore {
  createFamily(id: string, record: FamilyRecord, now: number): Promise<void> | void
  /**
   * Atomically spends the refresh token of `generation`: if it is the family's current one, the
   * family moves to `generation + 1`, now expiring at `expiresAt`. An older generation is reuse:
   * the family is revoked in the same step. Of concurrent calls with one generation exactly one
   * gets `rotated`.
   */
  rotateFamily(id: string, generation: number, expiresAt: number, now: number): Promise<RotateResult> | RotateResult
  /** Revokes the family; false if it is unknown (or already expired). */
  revokeFamily(id: string, now: number): Promise<boolean> | boolean
  /** Refuses the access token `jti` until `expiresAt`, after which it is dead anyway. */
  revokeToken(jti: string, expiresAt: number, now: number): Promise<void> | void
  isTokenRevoked(jti: string, now: number): Promise<boolean> | boolean
}

/** How often the memory store sweeps out expired entries, in seconds. */
const SWEEP_INTERVAL = 60

/** The default store: two maps in this process, swept of expired entries as time passes. */
export class MemoryStore implements TokenStore {
  readonly #families = new Map<string, FamilyRecord>()
  readonly #revokedTokens = new Map<string, number>()
  #nextSweep = 0

  createFamily(id: string, record: FamilyRecord, now: number): void {
    this.#sweep(now)
    this.#families.set(id, { ...record })
  }

  rotateFamily(id: string, generation: number, expiresAt: number, now: number): RotateResult {
    this.#sweep(now)
    const family = this.#live(id, now)
    if (family === undefined) return { status: 'unknown' }
    if (generation < family.generation) {
      family.revoked = true
      return { status: 'reused' }
    }
    if (family.revoked || generation !== family.generation) return { status: 'revoked' }
    family.generation = generation + 1
    family.expiresAt = expiresAt
    return { status: 'rotated', claims: family.claims }
  }

  revokeFamily(id: string, now: number): boolean {
    const family = this.#live(id, now)
    if (family === undefined) return false
    family.revoked = true
    return true
  }

  revokeToken(jti: string, expiresAt: number, now: number): void {
    this.#sweep(now)
    this.#revokedTokens.set(jti, expiresAt)
  }

  isTokenRevoked(jti: string, now: number): boolean {
    if (this.#revokedTokens.size === 0) return false
    const until = this.#revokedTokens.get(jti)
    return until !== undefined && until > now
  }

  /** Entries currently held, for tests and metrics. */
  get size(): { families: number; revokedTokens: number } {
    return { families: this.#families.size, revokedTokens: this.#revokedTokens.size }
  }

  #live(id: string, now: number): FamilyRecord | undefined {
    const family = this.#families.get(id)
    if (family === undefined || family.expiresAt <= now) return undefined
    return family
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return
    this.#nextSweep = now + SWEEP_INTERVAL
    for (const [id, family] of this.#families) if (family.expiresAt <= now) this.#families.delete(id)
    for (const [jti, until] of this.#revokedTokens) if (until <= now) this.#revokedTokens.delete(jti)
  }
}
