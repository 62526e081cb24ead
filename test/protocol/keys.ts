// The PROTOCOL's key ring (v2), run against every transport like the rest of the suite: the RFC
// conformance cases for ES256 and Ed25519, every algorithm issued and verified (and checked with
// jose), jwks, verify-only nodes, rotation across two nodes, and key confusion.
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import rfc7515a3 from '../fixtures/conformance/rfc7515-a3.json' with { type: 'json' }
import rfc8037a4 from '../fixtures/conformance/rfc8037-a4.json' with { type: 'json' }
import type { Algorithm, GeneratedJwk } from '../../src/internal.ts'
import { forge, now, segment, tamperSignature, withSegment } from '../support/forge.ts'
import { decodePart } from '../support/jwt.ts'
import { ALGS, ASYMMETRIC, hmacWith, junkSigned, keySet, makeKeys, publicKeyForms, publicOf, REFRESH_SECRET, signWith } from '../support/keys.ts'
import { matches } from './match.ts'
import { bodyOf, type Connect, type Message, type Transport } from './transport.ts'

export interface KeySuiteOptions {
  /** The algorithms to start a node for, one each (all by default; an expensive transport may pick a few). */
  algorithms?: Algorithm[]
  /** Leave out rotation and key confusion, which need no more than one transport of a kind to prove. */
  conformanceOnly?: boolean
}

const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']

/** A node on one configuration for the tests of one describe block. */
function node(connect: Connect, env: () => Record<string, string>) {
  let transport: Transport
  let msgId = 1
  beforeAll(async () => {
    transport = await connect(env())
  })
  afterAll(async () => {
    await transport?.close()
  })
  return async (body: Message): Promise<Message> => bodyOf(await transport.request({ ...body, msg_id: ++msgId }))
}

export function keyRingSuite(name: string, connect: Connect, options: KeySuiteOptions = {}): void {
  let keys: Record<Algorithm, GeneratedJwk>
  /** A second key of every algorithm: the next key of a rotation, an attacker's key. */
  let others: Record<Algorithm, GeneratedJwk>
  beforeAll(async () => {
    ;[keys, others] = await Promise.all([makeKeys(), makeKeys()])
  })

  describe(`${name}: RFC 7515 A.3, an ES256 verify-only key`, () => {
    const ask = node(connect, () => ({ HALLPASS_KEYS: JSON.stringify(rfc7515a3.jwks), HALLPASS_REFRESH_SECRET: REFRESH_SECRET }))
    it('finds the signature good and the token expired', async () => {
      expect(matches(rfc7515a3.expect, await ask({ type: 'verify_token', token: rfc7515a3.token }))).toBe(true)
    })
    it('finds the signature bad once it is changed', async () => {
      expect(matches(rfc7515a3.with_signature_changed.expect, await ask({ type: 'verify_token', token: tamperSignature(rfc7515a3.token) }))).toBe(true)
    })
    it('refuses the token re-signed as HS256 with the public key as the HMAC secret', async () => {
      const jwk = rfc7515a3.jwks.keys[0]!
      for (const secret of [JSON.stringify(jwk), jwk.x, jwk.x + jwk.y]) {
        const token = await hmacWith(secret, { iss: 'joe', exp: now() + 600 })
        expect(matches(rfc7515a3.with_header_alg_HS256_and_the_public_key_as_hmac_secret.expect, await ask({ type: 'verify_token', token }))).toBe(true)
      }
    })
    it('publishes the key with its public members only', async () => {
      const { d: _d, ...jwk } = rfc7515a3.jwks.keys[0] as Record<string, unknown>
      expect(await ask({ type: 'jwks' })).toEqual({ type: 'jwks_ok', in_reply_to: expect.any(Number), keys: [{ ...jwk, use: 'sig' }] })
    })
    it('answers error 10 to generate_access_token and refresh_token: this node only verifies', async () => {
      expect(await ask({ type: 'generate_access_token', payload: { sub: 'u' } })).toMatchObject({ type: 'error', code: 10, text: 'This node only verifies' })
      expect(await ask({ type: 'refresh_token', refresh_token: 'a.b.c' })).toMatchObject({ type: 'error', code: 10, text: 'This node only verifies' })
    })
  })

  describe(`${name}: RFC 8037 A.4, Ed25519`, () => {
    const ask = node(connect, () => ({ HALLPASS_KEYS: JSON.stringify(rfc8037a4.jwks), HALLPASS_REFRESH_SECRET: REFRESH_SECRET }))
    for (const testCase of rfc8037a4.cases) {
      it(testCase.name, async () => {
        const reply = await ask({ type: 'verify_token', token: testCase.token })
        expect(matches(testCase.expect, reply), JSON.stringify(reply)).toBe(true)
      })
    }
    it('publishes the key without d', async () => {
      const { d: _d, ...jwk } = rfc8037a4.jwks.keys[0] as Record<string, unknown>
      expect((await ask({ type: 'jwks' })).keys).toEqual([{ ...jwk, use: 'sig' }])
    })
    it('signs with it: EdDSA tokens with its kid, which it verifies', async () => {
      const issued = await ask({ type: 'generate_access_token', payload: { sub: 'user123' } })
      expect(decodePart(issued.access_token as string, 0)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: 'rfc8037-a4' })
      expect(await ask({ type: 'verify_token', token: issued.access_token })).toMatchObject({ type: 'token_valid', payload: { sub: 'user123' } })
      expect(decodePart(issued.refresh_token as string, 0)).toMatchObject({ alg: 'HS256', typ: 'hallpass-refresh+jwt' })
    })
  })

  for (const alg of options.algorithms ?? ALGS) {
    describe(`${name}: ${alg} signs`, () => {
      // The whole ring verifies; this node's key of `alg` signs.
      const ask = node(connect, () => ({ HALLPASS_KEYS: keySet(...ALGS.map((a) => keys[a])), HALLPASS_SIGNING_KID: `key-${alg}`, HALLPASS_REFRESH_SECRET: REFRESH_SECRET }))
      it('issues, verifies, refreshes and revokes; jose verifies what it issues with the published key', async () => {
        const issued = await ask({ type: 'generate_access_token', payload: { sub: 'user123', roles: ['user'] } })
        expect(issued.type, JSON.stringify(issued)).toBe('token_generated')
        const token = issued.access_token as string
        expect(decodePart(token, 0)).toEqual({ alg, typ: 'JWT', kid: `key-${alg}` })
        expect(await ask({ type: 'verify_token', token })).toMatchObject({ type: 'token_valid', payload: { sub: 'user123' } })
        const verifyKey = await jose.importJWK(publicOf(keys[alg]) as jose.JWK, alg)
        const { payload } = await jose.jwtVerify(token, verifyKey, { algorithms: [alg] })
        expect(payload).toMatchObject({ sub: 'user123', roles: ['user'] })
        const refreshed = await ask({ type: 'refresh_token', refresh_token: issued.refresh_token })
        expect(refreshed).toMatchObject({ type: 'token_refreshed' })
        expect(decodePart(refreshed.access_token as string, 0)).toMatchObject({ alg, kid: `key-${alg}` })
        expect(await ask({ type: 'revoke_token', token: refreshed.access_token })).toMatchObject({ type: 'token_revoked' })
        expect(await ask({ type: 'verify_token', token: refreshed.access_token })).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
      })
      it('verifies what jose signs with the same key, with and without kid, and refuses a changed signature', async () => {
        const signed = async (header: jose.JWTHeaderParameters) =>
          new jose.SignJWT({ sub: 'from-jose' }).setProtectedHeader(header).setIssuedAt().setExpirationTime('5m').sign(await jose.importJWK(keys[alg] as jose.JWK, alg))
        const withKid = await signed({ alg, kid: `key-${alg}` })
        expect(await ask({ type: 'verify_token', token: withKid })).toMatchObject({ type: 'token_valid', payload: { sub: 'from-jose' } })
        // Without kid: exactly one key of the ring has this algorithm.
        expect(await ask({ type: 'verify_token', token: await signed({ alg }) })).toMatchObject({ type: 'token_valid' })
        expect(await ask({ type: 'verify_token', token: tamperSignature(withKid) })).toMatchObject({ type: 'token_invalid', code: 'invalid_signature' })
      })
      it(`publishes every asymmetric key and no secret${alg.startsWith('HS') ? ' (this one signs with a secret)' : ''}`, async () => {
        const reply = await ask({ type: 'jwks' })
        const published = reply.keys as Array<Record<string, unknown>>
        expect(published.map((key) => key.kid).sort()).toEqual(ASYMMETRIC.map((a) => `key-${a}`).sort())
        for (const key of published) {
          for (const member of PRIVATE) expect(key, `${String(key.kid)}.${member}`).not.toHaveProperty(member)
          expect(key).toMatchObject({ use: 'sig', alg: expect.any(String), kid: expect.any(String), kty: expect.any(String) })
        }
      })
    })
  }

  if (options.conformanceOnly) return

  describe(`${name}: key rotation across two nodes, as the runbook says`, () => {
    // Old: signs with ES256 "old", knows "next" (another ES256 key) as a verify-only key. New: signs
    // with "next", still verifies "old". Last: "old" removed.
    let old: GeneratedJwk
    let next: GeneratedJwk
    const ring = () => {
      old = { ...keys.ES256, kid: 'old' }
      next = { ...others.ES256, kid: 'next' }
    }
    const askOld = node(connect, () => (ring(), { HALLPASS_KEYS: keySet(old, publicOf(next)), HALLPASS_REFRESH_SECRET: REFRESH_SECRET }))
    const askNew = node(connect, () => (ring(), { HALLPASS_KEYS: keySet(old, next), HALLPASS_SIGNING_KID: 'next', HALLPASS_REFRESH_SECRET: REFRESH_SECRET }))
    const askLast = node(connect, () => (ring(), { HALLPASS_KEYS: keySet(next), HALLPASS_REFRESH_SECRET: REFRESH_SECRET }))

    it('step 1: the next key is published before it signs; both nodes verify the old key’s tokens', async () => {
      expect(((await askOld({ type: 'jwks' })).keys as Array<{ kid: string }>).map((k) => k.kid)).toEqual(['old', 'next'])
      const token = (await askOld({ type: 'generate_access_token', payload: { sub: 'u1' } })).access_token
      expect(decodePart(token as string, 0).kid).toBe('old')
      expect(await askNew({ type: 'verify_token', token })).toMatchObject({ type: 'token_valid' })
    })
    it('step 2: the next key signs; the node still on the old ring verifies its tokens (overlap, nobody logged out)', async () => {
      const issued = await askNew({ type: 'generate_access_token', payload: { sub: 'u2' } })
      expect(decodePart(issued.access_token as string, 0)).toMatchObject({ alg: 'ES256', kid: 'next' })
      expect(await askOld({ type: 'verify_token', token: issued.access_token })).toMatchObject({ type: 'token_valid' })
      // Refresh tokens stay HS256 under the refresh secret: a family goes on across the rotation.
      const refreshed = await askNew({ type: 'refresh_token', refresh_token: issued.refresh_token })
      expect(decodePart(refreshed.access_token as string, 0)).toMatchObject({ alg: 'ES256', kid: 'next' })
    })
    it('step 3: the old key is dropped once its tokens expired; a token it signed is unknown_key, the next key’s verify', async () => {
      const oldToken = (await askOld({ type: 'generate_access_token', payload: { sub: 'u3' } })).access_token
      const newToken = (await askNew({ type: 'generate_access_token', payload: { sub: 'u4' } })).access_token
      expect(await askLast({ type: 'verify_token', token: oldToken })).toMatchObject({ type: 'token_invalid', code: 'unknown_key', error: 'Unknown key' })
      expect(await askLast({ type: 'verify_token', token: newToken })).toMatchObject({ type: 'token_valid' })
      expect(((await askLast({ type: 'jwks' })).keys as Array<{ kid: string }>).map((k) => k.kid)).toEqual(['next'])
    })
  })

  describe(`${name}: key confusion`, () => {
    // A ring of every asymmetric algorithm plus one HS256 key: nothing a header says may move a
    // token to another key or another algorithm.
    const ask = node(connect, () => ({ HALLPASS_KEYS: keySet(...ASYMMETRIC.map((a) => keys[a]), keys.HS256), HALLPASS_REFRESH_SECRET: REFRESH_SECRET }))
    const claims = () => ({ sub: 'admin', exp: now() + 600 })
    const verify = (token: string) => ask({ type: 'verify_token', token })

    it('refuses an HS256 token whose secret is a public key, in every form, under every kid', async () => {
      for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
        for (const [form, secret] of await publicKeyForms(keys[alg])) {
          for (const kid of [`key-${alg}`, 'key-HS256', undefined]) {
            const reply = await verify(await hmacWith(secret, claims(), kid))
            // The kid of an RS/ES key with HS256 names no HS256 key; without kid or with the HS
            // key's, the HMAC check fails under the real secret.
            expect(reply.type, `${alg} ${form} kid=${String(kid)}`).toBe('token_invalid')
            expect(['unknown_key', 'invalid_signature'], `${alg} ${form} kid=${String(kid)}`).toContain(reply.code)
          }
        }
      }
    })
    it('refuses RS/PS swaps and ES/EdDSA swaps of a real signature', async () => {
      const rs = await signWith(keys.RS256, { alg: 'RS256', kid: 'key-RS256' }, claims())
      expect(await verify(withSegment(rs, 0, segment({ alg: 'PS256', kid: 'key-RS256' })))).toMatchObject({ code: 'unknown_key' })
      expect(await verify(withSegment(rs, 0, segment({ alg: 'PS256', kid: 'key-PS256' })))).toMatchObject({ code: 'invalid_signature' })
      const ps = await signWith(keys.PS256, { alg: 'PS256', kid: 'key-PS256' }, claims())
      expect(await verify(withSegment(ps, 0, segment({ alg: 'RS256', kid: 'key-PS256' })))).toMatchObject({ code: 'unknown_key' })
      const es = await signWith(keys.ES256, { alg: 'ES256', kid: 'key-ES256' }, claims())
      expect(await verify(withSegment(es, 0, segment({ alg: 'ES384', kid: 'key-ES256' })))).toMatchObject({ code: 'unknown_key' })
      expect(await verify(withSegment(es, 0, segment({ alg: 'EdDSA', kid: 'key-ES256' })))).toMatchObject({ code: 'unknown_key' })
    })
    it('never takes a key from jwk, jku, x5u or x5c: an attacker key embedded verifies nothing', async () => {
      const attacker = { ...others.ES256, kid: 'key-ES256' }
      const embedded = publicOf(attacker)
      for (const extra of [{ jwk: embedded }, { jku: 'https://attacker.example/jwks.json' }, { x5u: 'https://attacker.example/cert.pem' }, { x5c: ['MIIB'] }, {}]) {
        for (const kid of ['key-ES256', undefined]) {
          const header = { alg: 'ES256', ...(kid === undefined ? {} : { kid }), ...extra }
          expect(await verify(await signWith(attacker, header, claims())), JSON.stringify(Object.keys(header))).toMatchObject({ type: 'token_invalid', code: 'invalid_signature' })
        }
      }
    })
    it('answers unknown_key for a kid that names no key of the header’s algorithm, whatever it holds', async () => {
      for (const kid of ['../../etc/passwd', "' OR 1=1 --", 'key-es256', '', 'x'.repeat(2000), 7, null, ['key-ES256'], { kid: 'key-ES256' }]) {
        expect(await verify(junkSigned({ alg: 'ES256', kid }, claims())), JSON.stringify(kid).slice(0, 40)).toMatchObject({ code: 'unknown_key' })
      }
    })
    it('refuses none and algorithms outside the ring before any key', async () => {
      for (const alg of ['none', 'NONE', 'HS384', 'HS512', 'ES512', 'RS512', 'PS384', 'Ed448', 'es256']) {
        expect(await verify(junkSigned({ alg, kid: 'key-ES256' }, claims())), alg).toMatchObject({ code: 'unsupported_algorithm' })
      }
    })
    it('takes Ed25519 (RFC 9864) as EdDSA on verify', async () => {
      const token = await signWith(keys.EdDSA, { alg: 'Ed25519', kid: 'key-EdDSA' }, claims())
      expect(await verify(token)).toMatchObject({ type: 'token_valid' })
    })
    it('keeps an HS256 access key from verifying refresh tokens, and the refresh secret from verifying access tokens', async () => {
      const forged = await forge({ alg: 'HS256', typ: 'JWT' }, claims(), REFRESH_SECRET)
      expect(await verify(forged)).toMatchObject({ code: 'invalid_signature' })
      const refreshTyp = await signWith(keys.HS256, { alg: 'HS256', typ: 'hallpass-refresh+jwt', kid: 'key-HS256' }, { ...claims(), fam: 'f', gen: 0 })
      expect(await ask({ type: 'refresh_token', refresh_token: refreshTyp })).toMatchObject({ code: 'invalid_signature' })
    })
  })
}
