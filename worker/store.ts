// The core's TokenStore over the two Durable Object namespaces: each refresh family lives in its
// own instance, each revoked jti in the shard that owns it. Every call is one RPC to one object.
import type { FamilyRecord, RotateRequest, RotateResult, TokenStore } from '../src/index.ts'
import type { Env } from './env.ts'
import { revocationShard } from './objects.ts'

export class DurableObjectStore implements TokenStore {
  readonly #families: Env['REFRESH_FAMILIES']
  readonly #revocations: Env['REVOCATIONS']

  constructor(env: Pick<Env, 'REFRESH_FAMILIES' | 'REVOCATIONS'>) {
    this.#families = env.REFRESH_FAMILIES
    this.#revocations = env.REVOCATIONS
  }

  #family(id: string) {
    return this.#families.get(this.#families.idFromName(id))
  }

  #shard(jti: string) {
    return this.#revocations.get(this.#revocations.idFromName(revocationShard(jti)))
  }

  async createFamily(id: string, record: FamilyRecord, now: number): Promise<void> {
    await this.#family(id).create(id, record, now)
  }

  async rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> {
    return (await this.#family(id).rotate(id, request)) as RotateResult
  }

  async revokeFamily(id: string, now: number): Promise<boolean> {
    return await this.#family(id).revoke(id, now)
  }

  async revokeToken(jti: string, expiresAt: number, now: number): Promise<void> {
    await this.#shard(jti).revoke(jti, expiresAt, now)
  }

  async isTokenRevoked(jti: string, now: number): Promise<boolean> {
    return await this.#shard(jti).isRevoked(jti, now)
  }
}
