import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { ConfigError, createHallpass, optionsFromEnvironment, SETTINGS } from '../../src/internal.ts'

const SECRET = 'a'.repeat(32)

describe('configuration', () => {
  it('reads the PROTOCOL variables', () => {
    expect(
      optionsFromEnvironment({
        HALLPASS_SECRET: SECRET,
        HALLPASS_ACCESS_TTL: '60',
        HALLPASS_REFRESH_TTL: '3600',
        HALLPASS_ISSUER: 'iss',
        HALLPASS_AUDIENCE: 'aud',
        HALLPASS_CLOCK_TOLERANCE: '5',
        HALLPASS_REUSE_INTERVAL: '10',
        HALLPASS_VERIFY_CACHE: '500',
        OTHER: 'x',
      }),
    ).toEqual({ secret: SECRET, accessTtl: 60, refreshTtl: 3600, issuer: 'iss', audience: 'aud', clockTolerance: 5, reuseInterval: 10, verifyCache: 500 })
  })
  it.each(['abc', '-5', '1.5', '1e3', ''])('refuses the TTL %j (or treats empty as unset)', (value) => {
    if (value === '') expect(optionsFromEnvironment({ HALLPASS_ACCESS_TTL: value })).toEqual({})
    else expect(() => optionsFromEnvironment({ HALLPASS_ACCESS_TTL: value })).toThrow(ConfigError)
  })
  it('refuses a zero access TTL', async () => {
    await expect(createHallpass({ secret: SECRET, accessTtl: 0 })).rejects.toThrow(ConfigError)
  })
  it('refuses a secret under 32 bytes without echoing it', async () => {
    const error = await createHallpass({ secret: 'short-secret-31-bytes-long-xxxx' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toMatch(/HALLPASS_SECRET is too short: 31 bytes/)
    expect((error as Error).message).not.toContain('short-secret')
  })
  it('counts UTF-8 bytes, not characters', async () => {
    await expect(createHallpass({ secret: 'é'.repeat(16) })).resolves.toBeDefined()
  })
  it('accepts a JWK and refuses a weak or malformed one', async () => {
    const k = Buffer.alloc(32, 7).toString('base64url')
    await expect(createHallpass({ secret: JSON.stringify({ kty: 'oct', k }) })).resolves.toBeDefined()
    await expect(createHallpass({ secret: JSON.stringify({ kty: 'oct', k: 'AAAA' }) })).rejects.toThrow(/too short/)
    await expect(createHallpass({ secret: JSON.stringify({ kty: 'RSA', k }) })).rejects.toThrow(/kty/)
    await expect(createHallpass({ secret: JSON.stringify({ kty: 'oct', k: k + '=' }) })).rejects.toThrow(/base64url/)
    await expect(createHallpass({ secret: '{"kty":"oct",' + 'x'.repeat(40) })).rejects.toThrow(/not valid JSON/)
  })
  it('refuses a refresh secret equal to the access secret, in any form', async () => {
    const jwk = JSON.stringify({ kty: 'oct', k: Buffer.from(SECRET).toString('base64url') })
    await expect(createHallpass({ secret: SECRET, refreshSecret: SECRET })).rejects.toThrow(/must differ/)
    await expect(createHallpass({ secret: SECRET, refreshSecret: jwk })).rejects.toThrow(/must differ/)
  })
  it('warns once, without the secret, when it has to make one up', async () => {
    const warnings: string[] = []
    await createHallpass({ onWarning: (message) => warnings.push(message) })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/HALLPASS_SECRET is not set/)
  })
  it('documents every setting of the table in docs/configuration.md', () => {
    const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')
    for (const setting of Object.values(SETTINGS)) expect(docs, setting.env).toContain(`\`${setting.env}\``)
  })
})
