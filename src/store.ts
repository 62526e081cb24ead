// Where refresh families and revoked access tokens live. The in-memory store is the default; the
// edge keeps the same interface in a Durable Object. Times are epoch seconds.
import type { JsonObject } from './jws.ts'

/** The refresh token a family expects next: enough to sign exactly that token again. */
export interface CurrentToken {
  jti: string
  iat: number
  exp: number
}

/** One refresh family: every refresh token descended from one `generate_access_token`. */
export interface FamilyRecord {
  /** The caller's claims, re-issued in every access token of the family. */
  claims: JsonObject
  /** Generation of the one refresh token that may be spent next. */
  generation: number
  revoked: boolean
  /** That token's id and times; the record may be dropped once it has expired. */
  current: CurrentToken
  /** When the family last rotated (its creation, at first), for the reuse interval. */
  rotatedAt: number
}

export interface RotateRequest {
  /** Generation of the refresh token presented. */
  generation: number
  /** The token that becomes current if this call rotates the family. */
  next: CurrentToken
  now: number
  /** Seconds after a rotation during which the immediate predecessor is answered, not treated as reuse. */
  reuseInterval: number
}

export type RotateResult =
  | { status: 'rotated'; claims: JsonObject }
  /** The immediate predecessor within the reuse interval: nothing changed; `current` is its successor. */
  | { status: 'grace'; claims: JsonObject; current: CurrentToken }
  | { status: 'reused' }
  | { status: 'revoked' }
  | { status: 'unknown' }

export interface TokenStore {
  createFamily(id: string, record: FamilyRecord, now: number): Promise<void> | void
  /**
   * Atomically spends the refresh token of `generation`: if it is the family's current one, the
   * family moves to `generation + 1` with `next` as its current token. The immediate predecessor
   * within `reuseInterval` seconds of the last rotation gets `grace`. Any other older generation
   * is reuse: the family is revoked in the same step. Of concurrent calls with one generation
   * exactly one gets `rotated`. `applyRotation` in this file is the reference for implementations.
   */
  rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> | RotateResult
  /** Revokes the family; false if it is unknown (or already expired). */
  revokeFamily(id: string, now: number): Promise<boolean> | boolean
  /** Refuses the access token `jti` until `expiresAt`, after which it is dead anyway. */
  revokeToken(jti: string, expiresAt: number, now: number): Promise<void> | void
  isTokenRevoked(jti: string, now: number): Promise<boolean> | boolean
}

/**
 * The rotation rule on one family record, changed in place: the reference every store follows
 * (the memory store calls it directly; the Durable Object store runs the same steps in SQL).
 */
export function applyRotation(family: FamilyRecord, { generation, next, now, reuseInterval }: RotateRequest): RotateResult {
  if (generation < family.generation) {
    const predecessor = generation === family.generation - 1
    if (predecessor && !family.revoked && reuseInterval > 0 && now - family.rotatedAt <= reuseInterval) {
      return { status: 'grace', claims: family.claims, current: family.current }
    }
    family.revoked = true
    return { status: 'reused' }
  }
  if (family.revoked || generation !== family.generation) return { status: 'revoked' }
  family.generation = generation + 1
  family.current = next
  family.rotatedAt = now
  return { status: 'rotated', claims: family.claims }
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
    this.#families.set(id, { ...record, current: { ...record.current } })
  }

  rotateFamily(id: string, request: RotateRequest): RotateResult {
    this.#sweep(request.now)
    const family = this.#live(id, request.now)
    return family === undefined ? { status: 'unknown' } : applyRotation(family, request)
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
    if (family === undefined || family.current.exp <= now) return undefined
    return family
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return
    this.#nextSweep = now + SWEEP_INTERVAL
    for (const [id, family] of this.#families) if (family.current.exp <= now) this.#families.delete(id)
    for (const [jti, until] of this.#revokedTokens) if (until <= now) this.#revokedTokens.delete(jti)
  }
}
