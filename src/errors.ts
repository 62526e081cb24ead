/**
 * Why a token was refused. The codes and texts are the wire protocol's (PROTOCOL.md), so they are
 * stable: clients branch on `code`, people read `message`. No text ever includes the token itself.
 */
export const TOKEN_ERRORS = {
  token_expired: 'Token expired',
  invalid_signature: 'Invalid signature',
  malformed_token: 'Malformed token',
  unsupported_algorithm: 'Unsupported algorithm',
  token_not_yet_valid: 'Token not yet valid',
  invalid_claims: 'Invalid claims',
  wrong_token_type: 'Wrong token type',
  token_revoked: 'Token revoked',
  refresh_token_reused: 'Refresh token reused',
  unknown_key: 'Unknown key',
} as const

export type TokenErrorCode = keyof typeof TOKEN_ERRORS

/** Base class of every error hallpass throws on purpose. */
export class HallpassError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = this.constructor.name
  }
}

/** A token that does not pass: the reply is `token_invalid` with this `code` and text. */
export class TokenError extends HallpassError {
  declare readonly code: TokenErrorCode

  constructor(code: TokenErrorCode, options?: { cause?: unknown }) {
    super(code, TOKEN_ERRORS[code], options)
  }
}

/** A configuration that cannot be used (weak secret, bad TTL): the node refuses to start. */
export class ConfigError extends HallpassError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_HALLPASS_CONFIG', message, options)
  }
}

/** A request the caller got wrong (missing field, wrong type): Maelstrom error code 12. */
export class RequestError extends HallpassError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_HALLPASS_REQUEST', message, options)
  }
}

/** An operation this node does not offer: issuing on a verify-only node (Maelstrom error code 10). */
export class VerifyOnlyError extends HallpassError {
  constructor() {
    super('ERR_HALLPASS_VERIFY_ONLY', 'This node only verifies')
  }
}

/**
 * A store that cannot be opened at start: unwritable, corrupt, of a newer schema, locked past the
 * wait. The node refuses to start with this message (never a key or token: stores hold neither).
 */
export class StoreError extends HallpassError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_HALLPASS_STORE', message, options)
  }
}

/**
 * The store cannot be reached while the node runs (locked, disk full, the database gone): the
 * change was not made. The reply is error 11 `Store unavailable`; the node keeps serving.
 */
export class StoreUnavailableError extends HallpassError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_HALLPASS_STORE_UNAVAILABLE', 'Store unavailable', options)
  }
}

/**
 * A trusted issuer's JWK Set that cannot be had from its `jwks_uri`: a timeout, a status other
 * than 200, a redirect, a body over the bound or not a JWK Set. Never thrown to a caller of
 * verify (the token is then `unknown_key`); its message, naming the issuer and the reason, never
 * a token, goes to the log.
 */
export class JwksError extends HallpassError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_HALLPASS_JWKS', message, options)
  }
}
