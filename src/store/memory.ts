// The default store: refresh families and revoked tokens in this process's memory.
import { applyRotation } from './rotation.ts'
import type { FamilyRecord, RotateRequest, RotateResult, TokenStore } from './types.ts'

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
