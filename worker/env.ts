// The Worker's bindings: the settings it reads (declared once, in src/protocol/settings.ts: secrets
// and vars under their PROTOCOL names, plus HALLPASS_ISSUER_KEY) and the two Durable Object
// namespaces that hold state.
import type { SettingBindings } from '../src/internal.ts'
import type { RefreshFamilies, RevocationFeed, Revocations } from './objects.ts'

export interface Env extends SettingBindings {
  /** One instance per refresh family (idFromName(family id)). */
  REFRESH_FAMILIES: DurableObjectNamespace<RefreshFamilies>
  /** Revocations, one instance per subject (idFromName(`sub:<sub>`)): revoked jtis and the subject's cut-off. */
  REVOCATIONS: DurableObjectNamespace<Revocations>
  /** The revocation feed: one instance per minute and replica (idFromName(`<minute>:<replica>`)), read by every isolate's view. */
  REVOCATION_FEED: DurableObjectNamespace<RevocationFeed>
}

/** Hono's environment type for the worker's app. */
export type AppEnv = { Bindings: Env }
