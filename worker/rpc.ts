// The RPC entrypoint for service bindings: another Worker of the same account binds to
// `TokenService` and calls issue / verify / refresh / revoke / revokeSubject. A service binding can only be created
// by whoever deploys both Workers, so no credential is needed: the binding is the authorization.
// Every method answers with the PROTOCOL reply body (the same MessageHandler as everywhere else),
// so failures are values, not exceptions that lose their `code` crossing the RPC boundary.
import { WorkerEntrypoint } from 'cloudflare:workers'
import { ERROR_CODES, type JsonObject, type TokenErrorCode, type TokenKind, type TokenSet } from '../src/internal.ts'
import type { FeedPage } from '../src/store/feed.ts'
import type { Env } from './env.ts'
import { instanceFor, logConfigError, logInternalError } from './instance.ts'

export type TokenInvalid = { type: 'token_invalid'; code: TokenErrorCode; error: string }
export type ErrorReply = { type: 'error'; code: number; text: string }
export type IssueReply = ({ type: 'token_generated' } & TokenSet) | ErrorReply
export type VerifyReply = { type: 'token_valid'; payload: JsonObject } | TokenInvalid | ErrorReply
export type RefreshReply = ({ type: 'token_refreshed' } & TokenSet) | TokenInvalid | ErrorReply
export type RevokeReply = { type: 'token_revoked'; token_kind: TokenKind } | TokenInvalid | ErrorReply
export type RevokeSubjectReply = { type: 'subject_revoked'; sub: string } | ErrorReply

export class TokenService extends WorkerEntrypoint<Env> {
  async #ask(message: JsonObject): Promise<JsonObject> {
    let instance
    try {
      instance = await instanceFor(this.env)
      instance.store.keepAliveWith((work) => this.ctx.waitUntil(work))
    } catch (error) {
      logConfigError(error)
      return { type: 'error', code: ERROR_CODES.internal, text: 'hallpass is misconfigured: see the worker logs' }
    }
    return (await instance.hp.handler({ onInternalError: logInternalError }).handle(message))!
  }

  /** generate_access_token: an access token and a refresh token for `claims` (with a non-empty `sub`). */
  async issue(claims: JsonObject): Promise<IssueReply> {
    return (await this.#ask({ type: 'generate_access_token', payload: claims })) as IssueReply
  }

  /** verify_token, revocations included. */
  async verify(token: string): Promise<VerifyReply> {
    return (await this.#ask({ type: 'verify_token', token })) as VerifyReply
  }

  /** refresh_token: rotation, with reuse detection. */
  async refresh(refreshToken: string): Promise<RefreshReply> {
    return (await this.#ask({ type: 'refresh_token', refresh_token: refreshToken })) as RefreshReply
  }

  /** revoke_token: an access token, or a refresh token's whole family. */
  async revoke(token: string): Promise<RevokeReply> {
    return (await this.#ask({ type: 'revoke_token', token })) as RevokeReply
  }

  /**
   * The revocations made anywhere in this deployment since `cursor` (none: every one that can still
   * refuse a live access token), and the cursor to ask from next: what a revocation-aware
   * `hallpass/hono` (`revocations: env.HALLPASS`) keeps its view current with, twice per bound at most.
   */
  async revocations(cursor?: unknown): Promise<FeedPage> {
    const instance = await instanceFor(this.env)
    return instance.store.feed.read(cursor)
  }

  /** revoke_subject: log `sub` out everywhere, its live access tokens included. */
  async revokeSubject(sub: string): Promise<RevokeSubjectReply> {
    return (await this.#ask({ type: 'revoke_subject', sub })) as RevokeSubjectReply
  }
}
