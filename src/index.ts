// `hallpass`: the core's public API, as docs/library.md documents it, and nothing more. The rest of
// src/ is internal: this repository's worker, inspector, benchmarks and tests reach it through
// src/internal.ts, which the package does not export.
export { createHallpass, type Hallpass, type HallpassOptions } from './hallpass.ts'
export { createVerifier, type Verifier } from './tokens/verifier.ts'
export type { VerifyOptions } from './tokens/options.ts'
export { inspect, type Inspection } from './tokens/inspect.ts'
export { MessageHandler, type HandlerOptions } from './protocol/handler.ts'
export { optionsFromEnvironment, type Environment } from './protocol/environment.ts'
export { MemoryStore } from './store/memory.ts'
export type { TokenStore, FamilyRecord, RotateRequest, RotateResult, CurrentToken, RevocationQuery } from './store/types.ts'
/** Every error hallpass throws on purpose, each with a stable `code`: `errors.TokenError`, `errors.ConfigError`, … */
export * as errors from './errors.ts'
export { generateJwk, type GeneratedJwk } from './keys/generate.ts'
export { pemToJwk } from './keys/pem.ts'
export { thumbprint } from './keys/jwk.ts'
export { cacheApiJwksCache, type CacheLike, type JwksCache, type JwksEntry } from './jwks/cache.ts'
export type { FetchLike } from './jwks/fetch.ts'
export type { CryptoProvider, KeyOps } from './keys/crypto.ts'
export type { TrustedIssuerConfig } from './keys/trusted.ts'
export type { Algorithm } from './keys/algorithms.ts'
export type { JsonObject } from './jws/compact.ts'
export type { TokenKind } from './jwt/typ.ts'
export type { TokenSet } from './tokens/issue.ts'
