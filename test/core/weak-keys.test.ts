// Keys under which anyone can sign (issue 22): small-order or non-canonical Ed25519 points and RSA
// exponents below 65537 or even. node:crypto and WebCrypto verify forgeries under them, so the
// shared key checks refuse them wherever a key comes from: HALLPASS_KEYS, createVerifier's and
// hallpass/hono's `keys`. (A trusted issuer's JWKS: test/core/trusted.test.ts.)
import { describe, expect, it } from 'vitest'
import { checkJwk, ConfigError, createHallpass, createVerifier, generateJwk, webCrypto, type CheckedJwk } from '../../src/internal.ts'
import { hallpass } from '../../src/hono.ts'
import { nodeCrypto } from '../../src/node/crypto.ts'
import { keySet, REFRESH_SECRET } from '../support/keys.ts'
import { ED25519_NON_CANONICAL, ED25519_SMALL_ORDER, forgeEdDSA, forgeRs256WithExponentOne, identityEd25519, rsaWithExponent, withSignBit } from '../support/weak-keys.ts'

const exp = () => Math.floor(Date.now() / 1000) + 600
const refusal = (value: unknown): string => {
  try {
    checkJwk(value, 0, 'HALLPASS_KEYS')
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  return 'accepted'
}
const SMALL_ORDER = /^HALLPASS_KEYS: key "weak": "x" is a small-order Ed25519 point, under which anyone can sign$/
const NON_CANONICAL = /^HALLPASS_KEYS: key "weak": "x" is not a canonical Ed25519 point/
const EXPONENT = 'HALLPASS_KEYS: key "weak": the RSA public exponent "e" must be odd, at least 65537 and below 2^256 (NIST SP 800-56B)'

describe('the runtimes alone accept the forgeries: only the key checks stand between', () => {
  // Imported without checkJwk, as the code before issue 22 effectively did: this is what is guarded.
  const unchecked = (jwk: JsonWebKey & { kid: string; alg: string }, modulusBytes?: number): CheckedJwk => ({ alg: jwk.alg as 'EdDSA', kid: jwk.kid, public: jwk, private: undefined, ...(modulusBytes === undefined ? {} : { modulusBytes }) })
  it.each([['node:crypto', nodeCrypto], ['WebCrypto', webCrypto]] as const)('%s verifies R = identity, S = 0 under the identity key, and the encoding itself under e = 1', async (_name, provider) => {
    const [header, payload, signature] = forgeEdDSA({ kid: 'weak' }, { sub: 'admin', exp: exp() }).split('.')
    const ed = await provider.importKey(unchecked(identityEd25519('weak')), 'EdDSA')
    expect(await ed.verify(`${header}.${payload}`, signature!)).toBe(true)
    const rsa = await rsaWithExponent('weak', 'AQ')
    const forged = (await forgeRs256WithExponentOne(rsa, { sub: 'admin', exp: exp() })).split('.')
    const ops = await provider.importKey({ ...unchecked(rsa, 256), alg: 'RS256' }, 'RS256')
    expect(await ops.verify(`${forged[0]}.${forged[1]}`, forged[2]!)).toBe(true)
  })
})

describe('checkJwk: Ed25519 public keys', () => {
  it.each(ED25519_SMALL_ORDER)('refuses the small-order encoding %s, with and without the sign bit', (_label, x) => {
    for (const encoding of [x, withSignBit(x)]) {
      expect(refusal({ kty: 'OKP', crv: 'Ed25519', x: encoding, alg: 'EdDSA', kid: 'weak' })).toMatch(/^HALLPASS_KEYS: key "weak": "x" is (a small-order|not a canonical) Ed25519 point/)
    }
  })
  it('names the identity, the order-8 points and p-1 as small-order', () => {
    for (const [, x] of ED25519_SMALL_ORDER.filter(([label]) => !label.startsWith('p ') && !label.startsWith('p+'))) {
      expect(refusal({ kty: 'OKP', crv: 'Ed25519', x, alg: 'EdDSA', kid: 'weak' })).toMatch(SMALL_ORDER)
    }
  })
  it.each(ED25519_NON_CANONICAL)('refuses the non-canonical encoding %s (y ≥ p), with and without the sign bit', (_label, x) => {
    for (const encoding of [x, withSignBit(x)]) expect(refusal({ kty: 'OKP', crv: 'Ed25519', x: encoding, alg: 'EdDSA', kid: 'weak' })).toMatch(NON_CANONICAL)
  })
  it("checks a private key's x too, and never puts material in the text", async () => {
    const { d } = await generateJwk('EdDSA')
    const message = refusal({ ...identityEd25519('weak'), d })
    expect(message).toMatch(SMALL_ORDER)
    expect(message).not.toContain(d!)
    expect(message).not.toContain('AQAAAAAA')
  })
  it('accepts real keys, public and private', async () => {
    for (let i = 0; i < 20; i++) {
      const jwk = await generateJwk('EdDSA')
      expect(refusal(jwk)).toBe('accepted')
      expect(refusal({ ...jwk, d: undefined })).toBe('accepted')
    }
  })
})

describe('checkJwk: RSA exponents (NIST SP 800-56B: odd, 65537 ≤ e < 2^256)', () => {
  const modulus = rsaWithExponent('weak', 'AQAB')
  const b64 = (value: bigint) => {
    const hex = value.toString(16).padStart(Math.ceil(value.toString(16).length / 2) * 2, '0')
    return Buffer.from(hex, 'hex').toString('base64url')
  }
  it.each<[string, string]>([
    ['1', 'AQ'],
    ['3', 'Aw'],
    ['17', 'EQ'],
    ['65535', b64(65535n)],
    ['65536 (even)', b64(65536n)],
    ['65538 (even)', b64(65538n)],
    ['2^256 + 1', b64(2n ** 256n + 1n)],
    ['0', 'AA'],
    ['empty', ''],
  ])('refuses e = %s', async (_label, e) => {
    expect(refusal({ ...(await modulus), e })).toBe(EXPONENT)
  })
  it.each<[string, string]>([
    ['65537', 'AQAB'],
    ['65537 with a leading zero byte', Buffer.from([0, 1, 0, 1]).toString('base64url')],
    ['2^255 + 1', b64(2n ** 255n + 1n)],
    ['2^256 - 1', b64(2n ** 256n - 1n)],
  ])('accepts e = %s', async (_label, e) => {
    expect(refusal({ ...(await modulus), e })).toBe('accepted')
  })
  it('decodes e strictly: padding or the standard alphabet is refused as such', async () => {
    expect(refusal({ ...(await modulus), e: 'AQAB=' })).toBe('HALLPASS_KEYS: key "weak": "e" is not strict base64url')
    expect(refusal({ ...(await modulus), e: 'AQA+' })).toBe('HALLPASS_KEYS: key "weak": "e" is not strict base64url')
  })
  it('checks a private key too: generated keys pass, e = 3 does not', async () => {
    const jwk = await generateJwk('RS256')
    expect(refusal(jwk)).toBe('accepted')
    expect(refusal({ ...jwk, kid: 'weak', e: 'Aw' })).toBe(EXPONENT)
  })
})

describe('every way keys are configured refuses them (the forgery of issue 22 never verifies)', () => {
  it.each([['node:crypto', nodeCrypto], ['WebCrypto', undefined]] as const)('createHallpass with %s stops at start instead of answering the forged EdDSA and RS256 tokens', async (_name, crypto) => {
    const rsa = await rsaWithExponent('weak', 'AQ')
    const claims = { sub: 'admin', exp: exp() }
    const attacks = [
      [keySet(identityEd25519('weak')), forgeEdDSA({ typ: 'JWT', kid: 'weak' }, claims), SMALL_ORDER],
      [keySet(rsa), await forgeRs256WithExponentOne(rsa, claims), EXPONENT],
    ] as const
    for (const [ring, forged, text] of attacks) {
      // Before the checks: the node started, and the forged token answered token_valid.
      const outcome = await createHallpass({ keys: ring, refreshSecret: REFRESH_SECRET, ...(crypto === undefined ? {} : { crypto }) }).then(
        (hp) => hp.verify(forged).then(() => 'token_valid', (error: { code: string }) => error.code),
        (error: unknown) => error,
      )
      expect(outcome).toBeInstanceOf(ConfigError)
      expect((outcome as Error).message).toMatch(text)
    }
    // A good key beside the weak one does not make the ring acceptable.
    const good = { ...(await generateJwk('EdDSA')), kid: 'good' }
    await expect(createHallpass({ keys: keySet(good, identityEd25519('weak')), refreshSecret: REFRESH_SECRET })).rejects.toThrow(SMALL_ORDER)
  })
  it('createVerifier({ keys }) and hallpass/hono ({ keys }) refuse them up front', async () => {
    const ring = keySet(identityEd25519('weak'))
    await expect(createVerifier({ keys: ring })).rejects.toThrow(/^keys: key "weak": "x" is a small-order Ed25519 point/)
    expect(() => hallpass({ keys: ring })).toThrow(/^hallpass\(\): keys: key "weak": "x" is a small-order Ed25519 point/)
    const rsa = keySet(await rsaWithExponent('weak', 'AQ'))
    await expect(createVerifier({ keys: rsa })).rejects.toThrow(/^keys: key "weak": the RSA public exponent "e" must be odd/)
    expect(() => hallpass({ keys: rsa })).toThrow(/^hallpass\(\): keys: key "weak": the RSA public exponent "e" must be odd/)
  })
})
