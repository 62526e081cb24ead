// jose as the oracle: what we sign, jose accepts; what jose signs, we accept; what jose refuses
// (HS256 only, exp required), we refuse.
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { createHallpass, TokenError } from '../../src/internal.ts'
import { accessToken, forge, now, SECRET, segment, tamperSignature, withSegment } from '../support/forge.ts'

const key = new TextEncoder().encode(SECRET)
const joseOptions = { algorithms: ['HS256'], requiredClaims: ['exp'] }

async function joseAccepts(token: string): Promise<boolean> {
  return jose.jwtVerify(token, key, joseOptions).then(() => true, () => false)
}

describe('jose as oracle', () => {
  it('jose verifies the access tokens hallpass issues, with the same claims', async () => {
    const hp = await createHallpass({ secret: SECRET, issuer: 'https://auth.example', audience: 'api' })
    const { access_token } = await hp.issue({ sub: 'u1', roles: ['admin'] })
    const { payload, protectedHeader } = await jose.jwtVerify(access_token, key, { ...joseOptions, issuer: 'https://auth.example', audience: 'api', typ: 'JWT' })
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(payload).toEqual(await hp.verify(access_token))
  })
  it('jose refuses the refresh tokens hallpass issues (another key)', async () => {
    const hp = await createHallpass({ secret: SECRET })
    expect(await joseAccepts((await hp.issue({ sub: 'u1' })).refresh_token)).toBe(false)
  })
  it('hallpass verifies what jose signs with the secret', async () => {
    const hp = await createHallpass({ secret: SECRET })
    const token = await new jose.SignJWT({ sub: 'u1', scope: 'read' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(key)
    expect(await hp.verify(token)).toMatchObject({ sub: 'u1', scope: 'read' })
  })
  it('agrees with jose on every token of the attack catalogue', async () => {
    const hp = await createHallpass({ secret: SECRET })
    const t = now()
    const tokens = [
      await accessToken(),
      await accessToken({ exp: t - 5 }),
      tamperSignature(await accessToken()),
      tamperSignature(await accessToken({ exp: t - 5 })),
      withSegment(await accessToken(), 0, segment({ alg: 'none' })),
      withSegment(await accessToken(), 2, ''),
      await forge({ alg: 'HS512' }, { exp: t + 60 }, SECRET, 'SHA-512'),
      withSegment(await accessToken(), 0, segment({ alg: 'RS256' })),
      await forge({ alg: 'HS256' }, { sub: 'u' }),
      await forge({ alg: 'HS256' }, { exp: 'later' }),
      await forge({ alg: 'HS256', crit: ['x'], x: 1 }, { exp: t + 60 }),
      await accessToken({ nbf: t + 60 }),
      `${segment({ alg: 'HS256' })}.${segment('[1]')}.AAAA`,
      (await accessToken()) + '.x',
    ]
    for (const token of tokens) {
      const ours = await hp.verify(token).then(() => true, (e: unknown) => (e instanceof TokenError ? false : Promise.reject(e)))
      expect(ours, token).toBe(await joseAccepts(token))
    }
  })
})
