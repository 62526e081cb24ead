// The verified-token cache: a hit skips the signature, never the expiry or revocation checks, and
// no two tokens can share an entry.
import { beforeEach, describe, expect, it } from 'vitest'
import { createHallpass, TokenError, type Hallpass } from '../../src/internal.ts'
import { SECRET, tamperSignature } from '../support/forge.ts'

let time = Date.UTC(2026, 0, 1)
let hp: Hallpass
const code = (promise: Promise<unknown>) => promise.then(() => 'ok', (e: unknown) => (e instanceof TokenError ? e.code : String(e)))

beforeEach(async () => {
  time = Date.UTC(2026, 0, 1)
  hp = await createHallpass({ secret: SECRET, clock: () => time, verifyCache: 2 })
})

describe('verify cache', () => {
  it('returns the same claims on a hit, frozen', async () => {
    const { access_token } = await hp.issue({ sub: 'u1', roles: ['a'] })
    const first = await hp.verify(access_token)
    const second = await hp.verify(access_token)
    expect(second).toEqual(first)
    expect(Object.isFrozen(second)).toBe(true)
    expect(Object.isFrozen(second.roles)).toBe(true)
  })
  it('still refuses a cached token once it expires', async () => {
    const { access_token } = await hp.issue({ sub: 'u1' })
    await hp.verify(access_token)
    time += 900_000
    expect(await code(hp.verify(access_token))).toBe('token_expired')
  })
  it('still refuses a cached token once it is revoked', async () => {
    const { access_token } = await hp.issue({ sub: 'u1' })
    await hp.verify(access_token)
    await hp.revoke(access_token)
    expect(await code(hp.verify(access_token))).toBe('token_revoked')
  })
  it('never answers a different token from a cached one', async () => {
    const { access_token } = await hp.issue({ sub: 'u1' })
    await hp.verify(access_token)
    expect(await code(hp.verify(tamperSignature(access_token)))).toBe('invalid_signature')
    expect(await code(hp.verify(access_token + ' '))).toBe('malformed_token')
  })
  it('does not cache failures', async () => {
    const { access_token } = await hp.issue({ sub: 'u1' })
    const forged = tamperSignature(access_token)
    expect(await code(hp.verify(forged))).toBe('invalid_signature')
    expect(await code(hp.verify(forged))).toBe('invalid_signature')
  })
  it('stays within its size and keeps working past it', async () => {
    const tokens = await Promise.all([1, 2, 3, 4].map((i) => hp.issue({ sub: `u${i}` })))
    for (const { access_token } of tokens) await hp.verify(access_token)
    for (const { access_token } of tokens) expect(await code(hp.verify(access_token))).toBe('ok')
  })
  it('refuses a negative size', async () => {
    await expect(createHallpass({ secret: SECRET, verifyCache: -1 })).rejects.toThrow(/HALLPASS_VERIFY_CACHE/)
  })
})
