// The default store: refresh families, revoked tokens and subject cut-offs in this process's
// memory. Expired entries are swept a few at a time as calls come, so no call pauses for a sweep
// of the whole store, however many entries it holds.
import { issuedAtMs } from '../lib/random.ts'
import { applyRotation } from './rotation.ts'
import type { FamilyRecord, RevocationQuery, RotateRequest, RotateResult, TokenStore } from './types.ts'

/** Entries looked at per call for expiry: bounded work, and still ahead of any rate of inserts. */
const SWEEP_STEP = 8

/** Sweeps one map incrementally: each step resumes where the last one stopped. */
class Sweeper<V> {
  readonly #map: Map<string, V>
  readonly #expiresAt: (value: V) => number
  #cursor: Iterator<[string, V]> | undefined

  constructor(map: Map<string, V>, expiresAt: (value: V) => number) {
    this.#map = map
    this.#expiresAt = expiresAt
  }

  step(now: number): void {
    if (this.#map.size === 0) return
    this.#cursor ??= this.#map.entries()
    for (let i = 0; i < SWEEP_STEP; i++) {
      const next = this.#cursor.next()
      if (next.done === true) {
        // A full pass is over; the next call starts another (a Map iterator sees later inserts too).
        this.#cursor = undefined
        return
      }
      const [key, value] = next.value
      if (this.#expiresAt(value) <= now) this.#map.delete(key)
    }
  }
}

interface Cutoff {
  cutoffMs: number
  expiresAt: number
}

export class MemoryStore implements TokenStore {
  readonly #families = new Map<string, FamilyRecord>()
  readonly #revokedTokens = new Map<string, number>()
  readonly #cutoffs = new Map<string, Cutoff>()
  readonly #sweepers = [
    new Sweeper(this.#families, (family) => family.current.exp),
    new Sweeper(this.#revokedTokens, (until) => until),
    new Sweeper(this.#cutoffs, (cutoff) => cutoff.expiresAt),
  ]

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

  revokeToken(jti: string, _sub: string | undefined, expiresAt: number, now: number): void {
    this.#sweep(now)
    this.#revokedTokens.set(jti, Math.max(expiresAt, this.#revokedTokens.get(jti) ?? 0))
  }

  revokeSubject(sub: string, cutoffMs: number, expiresAt: number, now: number): void {
    this.#sweep(now)
    const known = this.#cutoffs.get(sub)
    this.#cutoffs.set(sub, { cutoffMs: Math.max(cutoffMs, known?.cutoffMs ?? 0), expiresAt: Math.max(expiresAt, known?.expiresAt ?? 0) })
  }

  isRevoked({ jti, sub, iat }: RevocationQuery, now: number): boolean {
    if (jti !== undefined && this.#revokedTokens.size > 0) {
      const until = this.#revokedTokens.get(jti)
      if (until !== undefined && until > now) return true
    }
    if (sub !== undefined && this.#cutoffs.size > 0) {
      const cutoff = this.#cutoffs.get(sub)
      if (cutoff !== undefined && cutoff.expiresAt > now && issuedAtMs(jti, iat) < cutoff.cutoffMs) return true
    }
    return false
  }

  /** Entries currently held, for tests and metrics. */
  get size(): { families: number; revokedTokens: number; subjects: number } {
    return { families: this.#families.size, revokedTokens: this.#revokedTokens.size, subjects: this.#cutoffs.size }
  }

  #live(id: string, now: number): FamilyRecord | undefined {
    const family = this.#families.get(id)
    if (family === undefined || family.current.exp <= now) return undefined
    return family
  }

  #sweep(now: number): void {
    for (const sweeper of this.#sweepers) sweeper.step(now)
  }
}
