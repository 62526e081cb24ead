// The store contract: where refresh families, revoked access tokens and subject cut-offs live.
// Every store implements it (memory, SQLite, PostgreSQL, the edge's Durable Objects), and one
// contract suite (test/store/contract.ts) runs against all of them. Times are epoch seconds unless
// a name says milliseconds.
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
  /**
   * The family's login instant (epoch ms): when `generate_access_token` made it. Every token of the
   * family carries it as `auth_time`, and a subject's cut-off is judged against it (PROTOCOL v3).
   */
  authTimeMs: number
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
  /**
   * The family's subject (the presented token's `sub`, which only this issuer signs): its cut-off
   * is checked against the family's login instant in the same atomic step as the rotation.
   */
  sub: string | undefined
  /** The token that becomes current if this call rotates the family. */
  next: CurrentToken
  now: number
  /** Seconds after a rotation during which the immediate predecessor is answered, not treated as reuse. */
  reuseInterval: number
}

export type RotateResult =
  | { status: 'rotated'; claims: JsonObject; authTimeMs: number }
  /** The immediate predecessor within the reuse interval: nothing changed; `current` is its successor. */
  | { status: 'grace'; claims: JsonObject; authTimeMs: number; current: CurrentToken }
  | { status: 'reused' }
  /** Revoked: by `revoke_token`, by reuse, or by its subject's cut-off (logged in at or before it). */
  | { status: 'revoked' }
  | { status: 'unknown' }

/**
 * The one revocation question of a verify: this token, by its id and by its subject's cut-off.
 * `authTime` is the token's `auth_time` claim as it came (seconds, with millisecond decimals), or
 * undefined; without it the token is judged by its issue instant, `iat` refined to the millisecond
 * by its `jti` (lib/random.ts `issuedAtMs`). `judgedInstantMs` (store/view.ts) turns these into
 * the instant a cut-off is compared with; a store computes it only when the subject has a cut-off.
 */
export interface RevocationQuery {
  jti: string | undefined
  sub: string | undefined
  iat: number | undefined
  authTime?: unknown
}

export interface TokenStore {
  createFamily(id: string, record: FamilyRecord, now: number): Promise<void> | void
  /**
   * Atomically spends the refresh token of `generation`: if it is the family's current one, and
   * the family was logged in after its subject's cut-off (if any), the family moves to
   * `generation + 1` with `next` as its current token. A family logged in at or before the cut-off
   * is `revoked`, checked in the same atomic step (a transaction, one statement, or the object's
   * single thread), so a revocation either is seen or covers what the rotation mints. The
   * immediate predecessor within `reuseInterval` seconds of the last rotation gets `grace`. Any
   * other older generation is reuse: the family is revoked in the same step. Of concurrent calls
   * with one generation exactly one gets `rotated`. `applyRotation` (rotation.ts) is the reference.
   */
  rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> | RotateResult
  /** Revokes the family; false if it is unknown (or already expired). */
  revokeFamily(id: string, now: number): Promise<boolean> | boolean
  /** Refuses the access token `jti` (of subject `sub`, which the edge routes by) until `expiresAt`. */
  revokeToken(jti: string, sub: string | undefined, expiresAt: number, now: number): Promise<void> | void
  /**
   * Refuses every token of `sub` whose judged instant (its `auth_time`, else its issue instant) is
   * before `cutoffMs` (epoch ms), and every family of `sub` logged in before it, until
   * `expiresAt`, when the last of them has expired. A later cut-off for the same subject replaces
   * an earlier one.
   */
  revokeSubject(sub: string, cutoffMs: number, expiresAt: number, now: number): Promise<void> | void
  /**
   * Whether the token is refused: its jti revoked, or judged before its subject's cut-off. Asked
   * on every verify, so it is one question: a store keeps it off the database where it can (a view
   * kept current), and the edge answers it in one round trip.
   */
  isRevoked(query: RevocationQuery, now: number): Promise<boolean> | boolean
  /**
   * Brings this store's view of the revocations up to date with what any process has committed
   * (stores that keep a view; the others are always current). Rejects when the backend cannot be read.
   */
  catchUp?(): Promise<void> | void
  /** Makes every acknowledged change durable and releases the store (the node is stopping). */
  close?(): Promise<void> | void
}
