// The core's TokenStore over the two Durable Object namespaces: each refresh family lives in its
// own instance, each subject's revocations (revoked jtis and its cut-off) in the subject's own.
// Every call is one RPC to one object, verify included, except a refresh: it asks the subject's
// object for its cut-off before the family's object rotates (PROTOCOL v3: two hops), so a
// revocation either is seen or was made after the ask and covers what the rotation mints. A
// failed RPC is `Store unavailable` (error 11): a verify that cannot ask is refused, not let through.
import { StoreUnavailableError } from '../src/errors.ts'
import { storedExpiry } from '../src/store/schema.ts'
import type { FamilyRecord, RevocationQuery, RotateRequest, RotateResult, TokenStore } from '../src/store/types.ts'
import type { Env } from './env.ts'
import { revocationsName } from './objects.ts'

export class DurableObjectStore implements TokenStore {
  readonly #families: Env['REFRESH_FAMILIES']
  readonly #revocations: Env['REVOCATIONS']
  readonly #onUnavailable: (error: unknown) => void

  /** `onUnavailable` is told why an RPC failed (the worker logs it). */
  constructor(env: Pick<Env, 'REFRESH_FAMILIES' | 'REVOCATIONS'>, onUnavailable: (error: unknown) => void = () => undefined) {
    this.#families = env.REFRESH_FAMILIES
    this.#revocations = env.REVOCATIONS
    this.#onUnavailable = onUnavailable
  }

  async #call<T>(rpc: () => Promise<T>): Promise<T> {
    try {
      return await rpc()
    } catch (error) {
      this.#onUnavailable(error)
      throw new StoreUnavailableError({ cause: error })
    }
  }

  #family(id: string) {
    return this.#families.get(this.#families.idFromName(id))
  }

  #revocationsOf(name: string) {
    return this.#revocations.get(this.#revocations.idFromName(name))
  }

  createFamily(id: string, record: FamilyRecord, now: number): Promise<void> {
    return this.#call(() => this.#family(id).create(id, record, now))
  }

  rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> {
    return this.#call(async () => {
      const subject = request.sub === undefined ? undefined : revocationsName(undefined, request.sub)
      const cutoffMs = subject === undefined ? undefined : await this.#revocationsOf(subject).cutoff(request.now)
      return (await this.#family(id).rotate(id, request, cutoffMs)) as RotateResult
    })
  }

  revokeFamily(id: string, now: number): Promise<boolean> {
    return this.#call(() => this.#family(id).revoke(id, now))
  }

  revokeToken(jti: string, sub: string | undefined, expiresAt: number, now: number): Promise<void> {
    const name = revocationsName(jti, sub)!
    return this.#call(() => this.#revocationsOf(name).revokeToken(jti, storedExpiry(expiresAt), now))
  }

  revokeSubject(sub: string, cutoffMs: number, expiresAt: number): Promise<void> {
    const name = revocationsName(undefined, sub)!
    return this.#call(() => this.#revocationsOf(name).revokeSubject(cutoffMs, storedExpiry(expiresAt)))
  }

  isRevoked(query: RevocationQuery, now: number): Promise<boolean> | boolean {
    const name = revocationsName(query.jti, query.sub)
    if (name === undefined) return false
    return this.#call(() => this.#revocationsOf(name).isRevoked(query, now))
  }
}
