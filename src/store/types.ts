// The store contract: where refresh families and revoked access tokens live. The in-memory store
// is the default; the edge keeps the same contract in Durable Objects. Times are epoch seconds.
import type { JsonObject } from '../jws/compact.ts'

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
   * exactly one gets `rotated`. `applyRotation` (rotation.ts) is the reference for implementations.
   */
  rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> | RotateResult
  /** Revokes the family; false if it is unknown (or already expired). */
  revokeFamily(id: string, now: number): Promise<boolean> | boolean
  /** Refuses the access token `jti` until `expiresAt`, after which it is dead anyway. */
  revokeToken(jti: string, expiresAt: number, now: number): Promise<void> | void
  isTokenRevoked(jti: string, now: number): Promise<boolean> | boolean
}
