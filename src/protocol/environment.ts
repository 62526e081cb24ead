// The settings read from an environment-like record (process.env in Node, bindings in a Worker).
// Pure parsing by the settings table: nothing here touches a runtime global.
import { ConfigError } from '../errors.ts'
import { isNumeric, SETTINGS, type Setting, type SettingName, type SettingValue } from './settings.ts'

export type Environment = Readonly<Record<string, unknown>>

/** The settings createHallpass takes as options. */
const CORE_SETTINGS = ['secret', 'refreshSecret', 'keys', 'signingKid', 'accessTtl', 'refreshTtl', 'issuer', 'audience', 'clockTolerance', 'reuseInterval', 'verifyCache', 'trustedIssuers'] as const satisfies readonly SettingName[]
export type CoreSettings = { [K in (typeof CORE_SETTINGS)[number]]?: SettingValue<K> }

/**
 * One setting from the environment: undefined when unset or empty; a whole number for numeric
 * settings (a Worker [vars] number is taken as is). Throws ConfigError naming the variable and at
 * most the first 32 characters of a bad number, never a secret.
 */
export function readSetting<K extends SettingName>(env: Environment, name: K): SettingValue<K> | undefined {
  const setting: Setting = SETTINGS[name]
  let value = env[setting.env]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'number' && isNumeric(setting)) value = String(value)
  if (typeof value !== 'string') throw new ConfigError(`${setting.env} must be a string`)
  if (!isNumeric(setting)) return value as SettingValue<K>
  const unit = setting.kind === 'count' ? 'entries' : setting.kind
  if (!/^\d{1,15}$/.test(value.trim())) throw new ConfigError(`${setting.env} must be a whole number of ${unit}, got ${JSON.stringify(value.slice(0, 32))}`)
  return Number(value.trim()) as SettingValue<K>
}

/** Options for createHallpass from the PROTOCOL variables. Throws ConfigError on a bad value. */
export function optionsFromEnvironment(env: Environment): CoreSettings {
  const options: Record<string, unknown> = {}
  for (const name of CORE_SETTINGS) {
    const value = readSetting(env, name)
    if (value !== undefined) options[name] = value
  }
  return options as CoreSettings
}
