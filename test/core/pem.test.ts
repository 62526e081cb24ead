// keys/pem.ts: PEM public keys (SPKI) of every asymmetric algorithm to their public JWK, and clear
// refusals, without key bytes, of everything else (private keys, certificates, damaged base64).
import { describe, expect, it } from 'vitest'
import { checkJwk, ConfigError, generateJwk, keyAlgorithms, pemToJwk, thumbprint, type Algorithm } from '../../src/internal.ts'

function pem(der: ArrayBuffer | Uint8Array, label = 'PUBLIC KEY', eol = '\n'): string {
  const base64 = btoa(String.fromCharCode(...new Uint8Array(der)))
  return `-----BEGIN ${label}-----${eol}${base64.replace(/(.{64})/g, `$1${eol}`).replace(new RegExp(`${eol}$`), '')}${eol}-----END ${label}-----${eol}`
}

const PARAMS: Record<string, Parameters<SubtleCrypto['importKey']>[2]> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  EdDSA: { name: 'Ed25519' },
}

/** A fresh key of `alg`: its private JWK, public members, and SPKI / PKCS#8 DER. */
async function keyOf(alg: Algorithm) {
  const jwk = await generateJwk(alg)
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, kid: _kid, alg: _alg, ...publicMembers } = jwk
  const params = PARAMS[alg]!
  const publicKey = await crypto.subtle.importKey('jwk', publicMembers, params, true, ['verify'])
  const { kid: _k, alg: _a, ...privateMembers } = jwk
  const privateKey = await crypto.subtle.importKey('jwk', privateMembers, params, true, ['sign'])
  return { jwk, publicMembers, spki: new Uint8Array(await crypto.subtle.exportKey('spki', publicKey)), pkcs8: new Uint8Array(await crypto.subtle.exportKey('pkcs8', privateKey)) }
}

const keys = Object.fromEntries(await Promise.all((['RS256', 'ES256', 'ES384', 'EdDSA'] as const).map(async (alg) => [alg, await keyOf(alg)] as const)))

/** The ConfigError `pemToJwk(text)` rejects with; fails the test when it resolves. */
async function refusal(text: string): Promise<ConfigError> {
  const error = await pemToJwk(text).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

/** No run of 8 base64 characters of `der` (in any alignment of its PEM body) is in `message`. */
function expectNoKeyBytes(message: string, der: Uint8Array): void {
  const body = btoa(String.fromCharCode(...der))
  for (let i = 0; i + 8 <= body.length; i++) expect(message).not.toContain(body.slice(i, i + 8))
  expect(message).not.toMatch(/[A-Za-z0-9+/]{24,}/)
}

describe('pemToJwk', () => {
  it.each([
    ['RS256', 'RSA', ['e', 'kty', 'n'], ['RS256', 'PS256']],
    ['ES256', 'EC P-256', ['crv', 'kty', 'x', 'y'], ['ES256']],
    ['ES384', 'EC P-384', ['crv', 'kty', 'x', 'y'], ['ES384']],
    ['EdDSA', 'Ed25519', ['crv', 'kty', 'x'], ['EdDSA']],
  ] as const)('turns a %s key (%s) into its public JWK, no alg, that the core takes', async (alg, _name, members, algorithms) => {
    const key = keys[alg]!
    const jwk = await pemToJwk(pem(key.spki))
    expect(Object.keys(jwk).sort()).toEqual(members)
    expect(jwk).toEqual(key.publicMembers)
    expect(keyAlgorithms(jwk)).toEqual(algorithms)
    expect(checkJwk(jwk, 0, 'test', algorithms[0]).public).toEqual(key.publicMembers)
    expect(await thumbprint(jwk)).toBe(key.jwk.kid)
  })

  it('takes CRLF line ends, a body on one line and surrounding blank lines', async () => {
    const { spki, publicMembers } = keys.ES256!
    expect(await pemToJwk(pem(spki, 'PUBLIC KEY', '\r\n'))).toEqual(publicMembers)
    const oneLine = `\n\n  -----BEGIN PUBLIC KEY-----${btoa(String.fromCharCode(...spki))}-----END PUBLIC KEY-----  \n`
    expect(await pemToJwk(oneLine)).toEqual(publicMembers)
  })

  it('refuses garbage, saying what it expected', async () => {
    expect((await refusal('hello')).message).toBe('PEM: expected a line -----BEGIN PUBLIC KEY-----')
    expect((await refusal('')).message).toBe('PEM: expected a line -----BEGIN PUBLIC KEY-----')
    expect((await refusal('-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----')).message).toBe('PEM: nothing between the BEGIN and END lines')
    expect((await refusal('-----BEGIN PUBLIC KEY-----\nnot*base64!\n-----END PUBLIC KEY-----')).message).toMatch(/^PEM: the text between the BEGIN and END lines is not valid base64/)
    expect((await refusal('-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----')).message).toMatch(/^PEM: the key is not a complete SubjectPublicKeyInfo/)
    expect((await refusal('x'.repeat(20_000))).message).toBe('PEM: too long for a public key (20000 characters)')
    expect(await pemToJwk('hello', 'Key').catch((error: Error) => error.message)).toBe('Key: expected a line -----BEGIN PUBLIC KEY-----')
  })

  it.each(['RS256', 'ES256', 'EdDSA'] as const)('refuses a %s private-key PEM (PKCS#8 and the traditional labels) without echoing it', async (alg) => {
    const { pkcs8 } = keys[alg]!
    for (const label of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']) {
      const error = await refusal(pem(pkcs8, label))
      expect(error.message).toBe(`PEM: this is a private key (${label}): paste its public key, -----BEGIN PUBLIC KEY----- (openssl pkey -pubout)`)
      expectNoKeyBytes(error.message, pkcs8)
    }
  })

  it('refuses a certificate and a PKCS#1 RSA key with the command that gives the right form', async () => {
    expect((await refusal(pem(keys.RS256!.spki, 'CERTIFICATE'))).message).toMatch(/^PEM: this is a certificate: .*openssl x509 -pubkey -noout/)
    expect((await refusal(pem(keys.RS256!.spki, 'RSA PUBLIC KEY'))).message).toMatch(/^PEM: this is a PKCS#1 RSA PUBLIC KEY: .*-RSAPublicKey_in/)
    expect((await refusal(pem(keys.RS256!.spki, 'OPENSSH PRIVATE KEY'))).message).toMatch(/^PEM: this is a private key \(OPENSSH PRIVATE KEY\)/)
    expect((await refusal(pem(keys.RS256!.spki, 'X509 CRL'))).message).toBe('PEM: expected -----BEGIN PUBLIC KEY-----, not X509 CRL')
  })

  it.each(['RS256', 'ES256', 'ES384', 'EdDSA'] as const)('refuses a truncated %s PEM with a clear error and no key bytes', async (alg) => {
    const { spki } = keys[alg]!
    const full = pem(spki)
    const lines = full.trim().split('\n')
    const body = lines.slice(1, -1).join('')
    const cuts = [
      // Characters lost at the end of the body: the base64 no longer has whole quads.
      `${lines[0]}\n${body.slice(0, -3)}\n${lines.at(-1)}`,
      // Whole quads lost: valid base64, but the DER is shorter than it says.
      `${lines[0]}\n${body.slice(0, -8)}\n${lines.at(-1)}`,
      `${lines[0]}\n${body.slice(0, 40)}\n${lines.at(-1)}`,
      // The END line lost.
      full.slice(0, full.length - 30),
    ]
    const messages = await Promise.all(cuts.map(async (cut) => (await refusal(cut)).message))
    expect(messages[0]).toMatch(/^PEM: the text between the BEGIN and END lines is not valid base64 \(damaged or cut short\)$/)
    expect(messages[1]).toBe('PEM: the key is not a complete SubjectPublicKeyInfo (damaged or cut short)')
    expect(messages[2]).toBe('PEM: the key is not a complete SubjectPublicKeyInfo (damaged or cut short)')
    expect(messages[3]).toBe('PEM: no -----END PUBLIC KEY----- line: the key is cut short')
    for (const message of messages) expectNoKeyBytes(message, spki)
  })

  it('refuses two keys in one paste', async () => {
    expect((await refusal(pem(keys.ES256!.spki) + pem(keys.EdDSA!.spki))).message).toBe('PEM: text after -----END PUBLIC KEY-----: paste one key only')
  })

  it('refuses key types and curves the core does not verify, naming them', async () => {
    const p521 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const x25519 = (await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair
    expect((await refusal(pem(await crypto.subtle.exportKey('spki', p521.publicKey)))).message).toBe('PEM: this EC key is on P-521 (ES512): ES256 takes P-256 keys, ES384 P-384 keys')
    expect((await refusal(pem(await crypto.subtle.exportKey('spki', x25519.publicKey)))).message).toBe('PEM: this is an X25519 key, which is for key agreement, not signatures')
    // An unknown algorithm identifier: the OID's last byte changed.
    const unknown = keys.EdDSA!.spki.slice()
    unknown[8] = 0x7f
    expect((await refusal(pem(unknown))).message).toBe('PEM: this is a key type hallpass does not verify: RSA, EC (P-256, P-384) and Ed25519 keys only')
  })

  it('refuses well-formed SPKI whose key is not a valid point, without echoing it', async () => {
    const damaged = keys.ES256!.spki.slice()
    // The uncompressed point's x coordinate, changed: off the curve.
    damaged[30] = damaged[30]! ^ 0xff
    damaged[31] = damaged[31]! ^ 0xff
    const error = await refusal(pem(damaged))
    expect(error.message).toBe('PEM: the EC key cannot be imported: it is not a valid key')
    expectNoKeyBytes(error.message, damaged)
  })
})

describe('keyAlgorithms', () => {
  it('is what a key without alg can be for: by curve for EC and OKP, RS256 or PS256 for RSA', () => {
    expect(keyAlgorithms({ kty: 'RSA' })).toEqual(['RS256', 'PS256'])
    expect(keyAlgorithms({ kty: 'EC', crv: 'P-256' })).toEqual(['ES256'])
    expect(keyAlgorithms({ kty: 'EC', crv: 'P-384' })).toEqual(['ES384'])
    expect(keyAlgorithms({ kty: 'EC', crv: 'P-521' })).toEqual([])
    expect(keyAlgorithms({ kty: 'OKP', crv: 'Ed25519' })).toEqual(['EdDSA'])
    expect(keyAlgorithms({ kty: 'OKP', crv: 'X25519' })).toEqual([])
    expect(keyAlgorithms({ kty: 'oct' })).toEqual(['HS256', 'HS384', 'HS512'])
    expect(keyAlgorithms({})).toEqual([])
  })
})
