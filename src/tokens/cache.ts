// A bounded LRU of verified access tokens. Keyed by the whole token string, so two different
// tokens can never share an entry (the cache-confusion class of bug fast-jwt had to fix). Only
// this node's own tokens whose signature and claims passed are stored; expiry and revocation are
// still checked on every hit. A trusted issuer's token never is: its key can leave the issuer's
// JWK Set, which a hit would not see (tokens/verify.ts).
import type { JsonObject } from '../jws/compact.ts'

export class VerifiedCache {
  readonly #max: number
  readonly #entries = new Map<string, JsonObject>()

  constructor(max: number) {
    this.#max = max
  }

  get(token: string): JsonObject | undefined {
    const payload = this.#entries.get(token)
    if (payload !== undefined) {
      // Refresh its place: the Map keeps insertion order, oldest first.
      this.#entries.delete(token)
      this.#entries.set(token, payload)
    }
    return payload
  }

  set(token: string, payload: JsonObject): void {
    this.#entries.set(token, payload)
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!)
  }

  delete(token: string): void {
    this.#entries.delete(token)
  }

  get size(): number {
    return this.#entries.size
  }
}

/** Freezes a verified payload all the way down: cached payloads are shared between callers. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}
