// The default store: refresh families, revoked tokens and subject cut-offs in this process's
// memory. Expired entries are swept a few at a time as calls come, and the maps are sharded, so no
// call pauses for a sweep or a rehash of the whole store, however many entries it holds.
import { applyRotation } from './rotation.ts'
import { ShardedMap } from './sharded-map.ts'
import type { FamilyRecord, RevocationQuery, RotateRequest, RotateResult, TokenStore } from './types.ts'
import { RevocationView } from './view.ts'

export class MemoryStore implements TokenStore {
  readonly #families = new ShardedMap<FamilyRecord>((family) => family.current.exp)
  readonly #revocations = new RevocationView()
  #writes = 0

  createFamily(id: string, record: FamilyRecord, now: number): void {
    this.#sweep(now)
    this.#families.set(id, { ...record, current: { ...record.current } })
  }

  rotateFamily(id: string, request: RotateRequest): RotateResult {
    this.#sweep(request.now)
    const family = this.#live(id, request.now)
    return family === undefined ? { status: 'unknown' } : applyRotation(family, request, this.#revocations.cutoffOf(request.sub, request.now))
  }

  revokeFamily(id: string, now: number): boolean {
    const family = this.#live(id, now)
    if (family === undefined) return false
    family.revoked = true
    return true
  }

  revokeToken(jti: string, _sub: string | undefined, expiresAt: number, now: number): void {
    this.#revocations.revokeToken(jti, expiresAt, now)
  }

  revokeSubject(sub: string, cutoffMs: number, expiresAt: number, now: number): void {
    this.#revocations.revokeSubject(sub, cutoffMs, expiresAt, now)
  }

  isRevoked(query: RevocationQuery, now: number): boolean {
    return this.#revocations.isRevoked(query, now)
  }

  /** Entries currently held, for tests and metrics. */
  get size(): { families: number; revokedTokens: number; subjects: number } {
    return { families: this.#families.size, ...this.#revocations.size }
  }

  #live(id: string, now: number): FamilyRecord | undefined {
    const family = this.#families.get(id)
    if (family === undefined || family.current.exp <= now) return undefined
    return family
  }

  /**
   * A sweep step every fourth write: it still looks at twice as many entries as are written, so a
   * pass over the store ends before the store can double; expired entries in between are refused
   * on read anyway (`#live`, `isRevoked` check expiry). A step on every write was 6 % of generate's profile.
   */
  #sweep(now: number): void {
    if ((this.#writes++ & 3) !== 0) return
    this.#families.sweep(now)
    this.#revocations.sweep(now)
  }
}
