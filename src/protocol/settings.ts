// Every setting, declared once. This table feeds the environment parsing (environment.ts), the
// checks of createHallpass's options, the stdin node's --help, the Worker's `Env` type and the
// worker's list of bindings; docs/configuration.md is checked against it by a test.
import { ConfigError } from '../errors.ts'

export type SettingKind = 'secret' | 'text' | 'seconds' | 'milliseconds' | 'count' | 'bytes'

export interface Setting {
  /** The environment variable, and the Worker binding of the same name. */
  readonly env: string
  readonly kind: SettingKind
  readonly meaning: string
  /** The default as people read it (--help, docs). */
  readonly fallback: string
  /** The transports that read it. */
  readonly where: 'both' | 'node' | 'worker'
  /** Numbers: the default and the smallest value allowed. */
  readonly default?: number
  readonly min?: number
}

export const SETTINGS = {
  secret: {
    env: 'HALLPASS_SECRET', kind: 'secret', where: 'both',
    meaning: 'HS256 key for access tokens: a string (its UTF-8 bytes) or a JSON JWK {"kty":"oct","k":...}; at least 32 bytes',
    fallback: 'random per process, with a warning (the worker requires it)',
  },
  refreshSecret: {
    env: 'HALLPASS_REFRESH_SECRET', kind: 'secret', where: 'both',
    meaning: 'key for refresh tokens, same forms, or with HALLPASS_KEYS a JWK Set of oct keys with kids (the first signs); must differ from every access key',
    fallback: 'derived from HALLPASS_SECRET (HKDF); required with HALLPASS_KEYS',
  },
  keys: {
    env: 'HALLPASS_KEYS', kind: 'secret', where: 'both',
    meaning: 'the access-token key ring instead of HALLPASS_SECRET: a JWK Set {"keys":[...]} of HS256/384/512, RS256, PS256, ES256, ES384, EdDSA keys, each with its alg; private keys sign, public keys only verify',
    fallback: 'unset',
  },
  signingKid: {
    env: 'HALLPASS_SIGNING_KID', kind: 'text', where: 'both',
    meaning: 'the kid of the HALLPASS_KEYS key that signs new access tokens',
    fallback: 'the first key with private material',
  },
  accessTtl: { env: 'HALLPASS_ACCESS_TTL', kind: 'seconds', where: 'both', meaning: 'access-token lifetime, seconds', fallback: '900', default: 900, min: 1 },
  refreshTtl: { env: 'HALLPASS_REFRESH_TTL', kind: 'seconds', where: 'both', meaning: 'refresh-token lifetime, seconds', fallback: '604800 (7 days)', default: 604800, min: 1 },
  issuer: { env: 'HALLPASS_ISSUER', kind: 'text', where: 'both', meaning: 'put in issued tokens as iss and required on verify', fallback: 'unset' },
  audience: { env: 'HALLPASS_AUDIENCE', kind: 'text', where: 'both', meaning: "put in issued tokens as aud and required on verify, of a trusted issuer's tokens too unless its entry has an audience", fallback: 'unset' },
  clockTolerance: { env: 'HALLPASS_CLOCK_TOLERANCE', kind: 'seconds', where: 'both', meaning: 'leeway for exp/nbf, seconds', fallback: '0', default: 0, min: 0 },
  reuseInterval: {
    env: 'HALLPASS_REUSE_INTERVAL', kind: 'seconds', where: 'both', default: 0, min: 0,
    meaning: 'seconds after a refresh in which the token just spent may be presented again (racing tabs) and gets the same successor; older tokens still revoke the family',
    fallback: '0 (never)',
  },
  verifyCache: {
    env: 'HALLPASS_VERIFY_CACHE', kind: 'count', where: 'both', default: 0, min: 0,
    meaning: "verified access tokens to cache (LRU, whole-token keys; expiry and revocation checked on every hit; this node's own tokens only); 0 turns it off",
    fallback: '0',
  },
  trustedIssuers: {
    env: 'HALLPASS_TRUSTED_ISSUERS', kind: 'text', where: 'both',
    meaning: 'other issuers whose access tokens verify with the keys they publish: a JSON array of {"issuer","jwks_uri":"https://...","audience"?,"algorithms"?}; a token is theirs by its exact iss; without audience, HALLPASS_AUDIENCE applies',
    fallback: 'unset',
  },
  revocationStaleness: {
    env: 'HALLPASS_REVOCATION_STALENESS', kind: 'milliseconds', where: 'both', default: 1000, min: 0,
    meaning: 'the most a verifier may lag behind the revocations made anywhere in the deployment, milliseconds: its view of them is brought up to date at most twice per this; 0: every verify asks the store (one round trip each)',
    fallback: '1000',
  },
  maxLineBytes: {
    env: 'HALLPASS_MAX_LINE_BYTES', kind: 'bytes', where: 'node', default: 1024 * 1024, min: 1,
    meaning: 'longest input line, bytes; longer lines are discarded', fallback: '1048576 (1 MiB)',
  },
  store: {
    env: 'HALLPASS_STORE', kind: 'text', where: 'node',
    meaning: 'where refresh families and revocations live: memory; sqlite:PATH (one file, which every node process on this machine may share; it survives restarts); postgres://user:password@host:port/db (one database that nodes on several machines share)',
    fallback: 'memory',
  },
  storeWait: {
    env: 'HALLPASS_STORE_WAIT', kind: 'seconds', where: 'node', default: 10, min: 0,
    meaning: 'the longest a state change waits for the store (a lock another process holds, the database) before it answers error 11, at start and while running, seconds; a refresh answered so may be retried with the same token within this + 60 s',
    fallback: '10',
  },
  storePool: {
    env: 'HALLPASS_STORE_POOL', kind: 'count', where: 'node', default: 10, min: 2,
    meaning: 'with postgres://…: the most connections this node opens, the one listening for revocations included',
    fallback: '10',
  },
  issuerKey: {
    env: 'HALLPASS_ISSUER_KEY', kind: 'secret', where: 'worker',
    meaning: 'Bearer credential for generate_access_token over HTTP; at least 32 bytes, unlike the keys',
    fallback: 'unset: issuing over HTTP is refused',
  },
} as const satisfies Record<string, Setting>

export type SettingName = keyof typeof SETTINGS
type Entry<K extends SettingName> = (typeof SETTINGS)[K]

/** The value a setting of each kind has once read. */
export type SettingValue<K extends SettingName> = Entry<K>['kind'] extends 'seconds' | 'milliseconds' | 'count' | 'bytes' ? number : string

/** The settings one transport reads. */
export type SettingsOf<Where extends 'node' | 'worker'> = { [K in SettingName]: Entry<K>['where'] extends 'both' | Where ? K : never }[SettingName]

/** The Worker's bindings for its settings: secrets and texts are strings; numbers may be TOML numbers of [vars]. */
export type SettingBindings = { [K in SettingsOf<'worker'> as Entry<K>['env']]?: Entry<K>['kind'] extends 'secret' | 'text' ? string : string | number }

const UNITS: Record<SettingKind, string> = { secret: '', text: '', seconds: 'seconds', milliseconds: 'milliseconds', count: 'entries', bytes: 'bytes' }

/** Whether a setting holds a number. */
export function isNumeric(setting: Setting): boolean {
  return setting.kind === 'seconds' || setting.kind === 'milliseconds' || setting.kind === 'count' || setting.kind === 'bytes'
}

/**
 * A numeric option's value, its default when undefined, checked against the table: a whole
 * number, at least the setting's minimum. The error names it as `label` says (the variable, as
 * people configure the node and the worker, by default).
 */
export function checkedNumber(name: SettingName, value: unknown, label: string = SETTINGS[name].env): number {
  const setting: Setting = SETTINGS[name]
  if (value === undefined) return setting.default!
  const min = setting.min ?? 0
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`${label} must be a whole number of ${UNITS[setting.kind]}${min > 0 ? ` above ${min - 1}` : ''}`)
  }
  return value
}

/** A text option, checked: a non-empty string when set. */
export function checkedText(name: SettingName, value: unknown, label: string = SETTINGS[name].env): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) throw new ConfigError(`${label} must be a non-empty string`)
  return value as string | undefined
}

/** `--help`'s configuration section for one transport. */
export function describeSettings(where: 'node' | 'worker'): string {
  return Object.values(SETTINGS as Record<string, Setting>)
    .filter((setting) => setting.where === 'both' || setting.where === where)
    .map((setting) => `  ${setting.env.padEnd(26)}${setting.meaning}\n  ${''.padEnd(26)}default: ${setting.fallback}`)
    .join('\n')
}
