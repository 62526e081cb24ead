// keys/: JWK checks, RFC 7638 thumbprints and key selection, beneath any transport.
import { describe, expect, it } from 'vitest'
import { checkJwk, checkKeySet, ConfigError, createHallpass, createVerifier, thumbprint, TokenError } from '../../src/internal.ts'
import { keySet, makeKeys, publicOf, REFRESH_SECRET, signWith } from '../support/keys.ts'

const keys = await makeKeys()

describe('thumbprint', () => {
  it('is RFC 7638 §3.1’s for its example key', async () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    }
    expect(await thumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })
  it('becomes the kid of an asymmetric key without one', async () => {
    const { kid: _kid, ...withoutKid } = keys.ES256
    const [checked] = await checkKeySet({ keys: [withoutKid] }, 'test')
    expect(checked!.kid).toBe(await thumbprint(checked!.public))
  })
})

describe('checkJwk', () => {
  it('keeps only the public members in the public half, and only what WebCrypto imports in the private one', () => {
    const checked = checkJwk({ ...keys.RS256, key_ops: ['sign'], ext: true, x5c: ['MII'] }, 0, 'test')
    expect(Object.keys(checked.public).sort()).toEqual(['e', 'kty', 'n'])
    expect(Object.keys(checked.private!).sort()).toEqual(['d', 'dp', 'dq', 'e', 'kty', 'n', 'p', 'q', 'qi'])
    expect(checked.modulusBytes).toBe(256)
  })
  it('never puts material in an error', () => {
    const error = (() => {
      try {
        checkJwk({ ...keys.ES256, alg: 'HS256' }, 0, 'HALLPASS_KEYS')
      } catch (caught) {
        return caught as Error
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(error!.message).toBe('HALLPASS_KEYS: key "key-ES256": HS256 needs "kty":"oct"')
  })
})

describe('key selection', () => {
  it('accepts a token without kid only when exactly one key has its algorithm', async () => {
    const second = { ...(await makeKeys()).ES256, kid: 'second' }
    const one = await createHallpass({ keys: keySet(keys.ES256), refreshSecret: REFRESH_SECRET })
    const two = await createHallpass({ keys: keySet(keys.ES256, second), refreshSecret: REFRESH_SECRET })
    const token = await signWith(keys.ES256, { alg: 'ES256' }, { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 })
    await expect(one.verify(token)).resolves.toMatchObject({ sub: 'u' })
    await expect(two.verify(token)).rejects.toMatchObject({ code: 'unknown_key' })
  })
  it('with HALLPASS_SECRET (v1), never looks at kid: no token is unknown_key', async () => {
    const hp = await createHallpass({ secret: 'a-secret-of-at-least-32-bytes-for-v1-mode' })
    const { access_token: token } = await hp.issue({ sub: 'u' })
    const [, payload, signature] = token.split('.')
    const withKid = btoa(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'anything' })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
    // The header changed, so the signature no longer matches: but the key was found all the same.
    await expect(hp.verify(`${withKid}.${payload}.${signature}`)).rejects.toMatchObject({ code: 'invalid_signature' })
  })
})

describe('header verdicts', () => {
  it('judge each token by its own header, whichever header came before (the last one is remembered)', async () => {
    const second = { ...(await makeKeys()).ES256, kid: 'second' }
    const hp = await createHallpass({ keys: keySet(keys.ES256, second), refreshSecret: REFRESH_SECRET })
    const exp = Math.floor(Date.now() / 1000) + 60
    const first = await signWith(keys.ES256, { alg: 'ES256', kid: keys.ES256.kid }, { sub: 'a', exp })
    const other = await signWith(second, { alg: 'ES256', kid: 'second' }, { sub: 'b', exp })
    const unknown = await signWith(second, { alg: 'ES256', kid: 'nobody' }, { sub: 'c', exp })
    const none = `${btoa(JSON.stringify({ alg: 'none' })).replace(/=+$/, '')}.${first.split('.')[1]}.`
    // Each twice in a row (the remembered header), then interleaved (the Map, then the last one again).
    for (const round of [[first, first, other, other, unknown, unknown, none, none], [first, unknown, other, none, first, other]]) {
      for (const token of round) {
        const outcome = await hp.verify(token).then((claims) => claims.sub, (error: TokenError) => error.code)
        expect(outcome).toBe(token === first ? 'a' : token === other ? 'b' : token === unknown ? 'unknown_key' : 'unsupported_algorithm')
      }
    }
  })
})

describe('createVerifier with keys', () => {
  it('verifies with a published key set and refuses what another key signed', async () => {
    const verifier = await createVerifier({ keys: keySet(publicOf(keys.EdDSA)) })
    const claims = { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 }
    await expect(verifier.verify(await signWith(keys.EdDSA, { alg: 'EdDSA', kid: 'key-EdDSA' }, claims))).resolves.toMatchObject({ sub: 'u' })
    const other = (await makeKeys()).EdDSA
    await expect(verifier.verify(await signWith({ ...other, kid: 'key-EdDSA' }, { alg: 'EdDSA', kid: 'key-EdDSA' }, claims))).rejects.toBeInstanceOf(TokenError)
  })
  it('takes exactly one of secret and keys', async () => {
    await expect(createVerifier({})).rejects.toThrow(/exactly one of secret and keys/)
    await expect(createVerifier({ secret: 'x'.repeat(32), keys: keySet(keys.ES256) })).rejects.toThrow(/exactly one/)
  })
})
