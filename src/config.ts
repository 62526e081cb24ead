// The PROTOCOL's configuration table, read from an environment-like record (process.env in Node,
// bindings in a Worker). Pure parsing: nothing here touches a runtime global.
import { ConfigError } from './errors.ts'
import type { HallpassOptions } from './hallpass.ts'

export type Environment = Readonly<Record<string, unknown>>

/** The variables hallpass reads, with their meaning and default, for `--help` and the README. */
export const CONFIG_TABLE = [
  ['HALLPASS_SECRET', 'HS256 key for access tokens: a string (its UTF-8 bytes) or a JSON JWK {"kty":"oct","k":...}; at least 32 bytes', 'random per process, with a warning'],
  ['HALLPASS_REFRESH_SECRET', 'key for refresh tokens, same forms; must differ from HALLPASS_SECRET', 'derived from HALLPASS_SECRET (HKDF)'],
  ['HALLPASS_ACCESS_TTL', 'access-token lifetime, seconds', '900'],
  ['HALLPASS_REFRESH_TTL', 'refresh-token lifetime, seconds', '604800'],
  ['HALLPASS_ISSUER', 'put in issued tokens as iss and required on verify', 'unset'],
  ['HALLPASS_AUDIENCE', 'put in issued tokens as aud and required on verify', 'unset'],
  ['HALLPASS_CLOCK_TOLERANCE', 'leeway for exp/nbf, seconds', '0'],
  ['HALLPASS_REUSE_INTERVAL', 'seconds after a refresh in which the token just spent may be presented again (racing tabs) and gets the same successor; older tokens still revoke the family', '0'],
  ['HALLPASS_VERIFY_CACHE', 'verified access tokens to cache (LRU, whole-token keys); 0 turns it off', '0'],
] as const

function text(env: Environment, name: string): string | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string') throw new ConfigError(`${name} must be a string`)
  return value
}

/** A whole number (of seconds, by default) from a variable; undefined when unset. */
export function wholeNumberVariable(env: Environment, name: string, unit = 'seconds'): number | undefined {
  const value = text(env, name)
  if (value === undefined) return undefined
  if (!/^\d{1,15}$/.test(value.trim())) throw new ConfigError(`${name} must be a whole number of ${unit}, got ${JSON.stringify(value.slice(0, 32))}`)
  return Number(value.trim())
}

/** Options for createHallpass from the PROTOCOL variables. Throws ConfigError on a bad value. */
export function optionsFromEnvironment(env: Environment): HallpassOptions {
  const options: HallpassOptions = {}
  const secret = text(env, 'HALLPASS_SECRET')
  const refreshSecret = text(env, 'HALLPASS_REFRESH_SECRET')
  const accessTtl = wholeNumberVariable(env, 'HALLPASS_ACCESS_TTL')
  const refreshTtl = wholeNumberVariable(env, 'HALLPASS_REFRESH_TTL')
  const clockTolerance = wholeNumberVariable(env, 'HALLPASS_CLOCK_TOLERANCE')
  const reuseInterval = wholeNumberVariable(env, 'HALLPASS_REUSE_INTERVAL')
  const verifyCache = wholeNumberVariable(env, 'HALLPASS_VERIFY_CACHE', 'entries')
  const issuer = text(env, 'HALLPASS_ISSUER')
  const audience = text(env, 'HALLPASS_AUDIENCE')
  if (secret !== undefined) options.secret = secret
  if (refreshSecret !== undefined) options.refreshSecret = refreshSecret
  if (accessTtl !== undefined) options.accessTtl = accessTtl
  if (refreshTtl !== undefined) options.refreshTtl = refreshTtl
  if (clockTolerance !== undefined) options.clockTolerance = clockTolerance
  if (reuseInterval !== undefined) options.reuseInterval = reuseInterval
  if (verifyCache !== undefined) options.verifyCache = verifyCache
  if (issuer !== undefined) options.issuer = issuer
  if (audience !== undefined) options.audience = audience
  return options
}
