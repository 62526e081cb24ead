// The Worker's bindings: the PROTOCOL configuration (secrets and vars), the issuer credential and
// the two Durable Object namespaces that hold state.
import type { RefreshFamilies, Revocations } from './objects.ts'

export interface Env {
  /** HS256 key of access tokens (secret). Required at the edge: see instance.ts. */
  HALLPASS_SECRET?: string
  /** Key of refresh tokens (secret); derived from HALLPASS_SECRET when unset. */
  HALLPASS_REFRESH_SECRET?: string
  HALLPASS_ACCESS_TTL?: string | number
  HALLPASS_REFRESH_TTL?: string | number
  HALLPASS_ISSUER?: string
  HALLPASS_AUDIENCE?: string
  HALLPASS_CLOCK_TOLERANCE?: string | number
  /** Bearer credential for `generate_access_token` over HTTP (secret). Unset: issuing over HTTP is refused. */
  HALLPASS_ISSUER_KEY?: string
  /** One instance per refresh family (idFromName(family id)). */
  REFRESH_FAMILIES: DurableObjectNamespace<RefreshFamilies>
  /** Revoked access tokens, sharded by jti over a fixed number of instances. */
  REVOCATIONS: DurableObjectNamespace<Revocations>
}

/** Hono's environment type for the worker's app. */
export type AppEnv = { Bindings: Env }
