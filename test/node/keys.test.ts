// The key ring as the stdin node process takes it: every bad configuration PROTOCOL names stops the
// node at start with one line naming the key (never its material) and exit 1; `hallpass keygen`
// makes keys the node accepts and publishes their public halves only.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { generateJwk, type GeneratedJwk } from '../../src/internal.ts'
import { SECRET } from '../support/forge.ts'
import { keySet, makeKeys, publicOf, REFRESH_SECRET } from '../support/keys.ts'
import { identityEd25519, rsaWithExponent, weakRingAttacks } from '../support/weak-keys.ts'
import { ENTRY, ROOT, startNode } from './process.ts'

const keys = await makeKeys()
const rsa1024 = await (async () => {
  const pair = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const { key_ops: _o, ext: _e, ...jwk } = await crypto.subtle.exportKey('jwk', pair.privateKey)
  return { ...jwk, alg: 'RS256', kid: 'small' } as GeneratedJwk
})()
const exponentThree = await rsaWithExponent('e3', 'Aw')
const attacks = await weakRingAttacks()

/** Every base64url secret member of the keys a case configures: none may reach stderr. */
function secretsOf(...values: string[]): string[] {
  const found: string[] = []
  for (const value of values) {
    for (const match of value.matchAll(/"(d|k|p|q|dp|dq|qi)"\s*:\s*"([^"]{8,})"/g)) found.push(match[2]!)
  }
  return found
}

async function startFails(env: Record<string, string>): Promise<string> {
  const node = startNode(env)
  node.child.stdin.end()
  const code = await node.exited
  const stderr = node.stderr()
  expect(code, stderr).toBe(1)
  const lines = stderr.split('\n').filter((line) => line.trim() !== '' && !/ExperimentalWarning|--trace-warnings/.test(line))
  expect(lines, stderr).toHaveLength(1)
  for (const secret of secretsOf(...Object.values(env))) {
    expect(stderr).not.toContain(secret)
    expect(stderr).not.toContain(secret.slice(0, 12))
  }
  return lines[0]!
}

describe('HALLPASS_KEYS: bad configuration stops the node at start, naming the key, never its material', () => {
  const withRefresh = (ring: string, extra: Record<string, string> = {}) => ({ HALLPASS_KEYS: ring, HALLPASS_REFRESH_SECRET: REFRESH_SECRET, ...extra })
  const { alg: _alg, ...noAlg } = keys.ES256
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['HALLPASS_SECRET and HALLPASS_KEYS both set', { ...withRefresh(keySet(keys.ES256)), HALLPASS_SECRET: SECRET }, /two forms of one setting/],
    ['no HALLPASS_REFRESH_SECRET', { HALLPASS_KEYS: keySet(keys.ES256) }, /HALLPASS_REFRESH_SECRET is required/],
    ['a key without alg', withRefresh(keySet(noAlg)), /key "key-ES256": "alg" is required/],
    ['an unknown alg', withRefresh(keySet({ ...keys.ES256, alg: 'ES512' })), /key "key-ES256": "alg" "ES512" is not one of/],
    ['alg none', withRefresh(keySet({ ...keys.ES256, alg: 'none' })), /"alg" "none" is not one of/],
    ['an RSA key under 2048 bits', withRefresh(keySet(rsa1024)), /key "small": the RSA modulus has 1024 bits/],
    ['an EC key on the wrong curve', withRefresh(keySet({ ...keys.ES256, alg: 'ES384' })), /key "key-ES256": ES384 needs "crv":"P-384"/],
    ['an RSA key named ES256', withRefresh(keySet({ ...keys.RS256, alg: 'ES256' })), /key "key-RS256": ES256 needs "kty":"EC"/],
    ['an oct key named RS256', withRefresh(keySet({ ...keys.HS256, alg: 'RS256' })), /key "key-HS256": RS256 needs "kty":"RSA"/],
    ['an HS384 key of 32 bytes', withRefresh(keySet({ ...keys.HS256, alg: 'HS384' })), /key "key-HS256": too short for HS384: 32 bytes, at least 48/],
    ['an oct key without kid', withRefresh(keySet({ kty: 'oct', alg: 'HS256', k: keys.HS256.k })), /key #1: an "oct" key needs a "kid"/],
    ['two keys with one kid', withRefresh(keySet(keys.ES256, { ...keys.EdDSA, kid: 'key-ES256' })), /key "key-ES256": the kid is used twice/],
    ['an EC point off its curve', withRefresh(keySet({ ...keys.ES256, d: undefined, y: keys.ES256.x })), /key "key-ES256" cannot be imported as ES256/],
    ['a private RSA key missing its CRT members', withRefresh(keySet({ ...keys.RS256, dp: undefined })), /key "key-RS256": a private RSA key needs all of/],
    ['a signing kid that names no key', withRefresh(keySet(keys.ES256), { HALLPASS_SIGNING_KID: 'nope' }), /HALLPASS_SIGNING_KID: no key of HALLPASS_KEYS has the kid "nope"/],
    ['a signing kid of a public key', withRefresh(keySet(keys.ES256, publicOf(keys.EdDSA)), { HALLPASS_SIGNING_KID: 'key-EdDSA' }), /key "key-EdDSA" has no private material/],
    ['a refresh secret equal to an access key', withRefresh(keySet(keys.ES256, keys.HS256), { HALLPASS_REFRESH_SECRET: JSON.stringify({ kty: 'oct', k: keys.HS256.k }) }), /must differ from every key of HALLPASS_KEYS \(it equals key "key-HS256"\)/],
    ['a refresh key set of another algorithm', withRefresh(keySet(keys.ES256), { HALLPASS_REFRESH_SECRET: keySet(keys.HS512) }), /key "key-HS512": refresh tokens are HS256 only/],
    ['a key set that is not JSON', withRefresh('{"keys":['), /HALLPASS_KEYS is not valid JSON/],
    ['an empty key set', withRefresh('{"keys":[]}'), /HALLPASS_KEYS holds no key/],
    ['a use other than sig', withRefresh(keySet({ ...keys.ES256, use: 'enc' })), /key "key-ES256": "use" must be "sig"/],
    ['a small-order Ed25519 key (the identity point)', withRefresh(keySet(keys.ES256, identityEd25519('weak'))), /key "weak": "x" is a small-order Ed25519 point, under which anyone can sign/],
    ['a private Ed25519 key whose x is the identity', withRefresh(keySet({ ...keys.EdDSA, x: identityEd25519('x').x })), /key "key-EdDSA": "x" is a small-order Ed25519 point/],
    ['an RSA key with e = 3', withRefresh(keySet(exponentThree)), /key "e3": the RSA public exponent "e" must be odd, at least 65537 and below 2\^256 \(NIST SP 800-56B\)/],
    ['HALLPASS_SIGNING_KID without HALLPASS_KEYS', { HALLPASS_SECRET: SECRET, HALLPASS_SIGNING_KID: 'x' }, /HALLPASS_SIGNING_KID names a key of HALLPASS_KEYS, which is not set/],
  ]
  it.each(cases)('%s', async (_label, env, message) => {
    expect(await startFails(env)).toMatch(message)
  })
})

describe('issue 22: a ring holding a key anyone can sign for stops the node, so a forged token is never answered', () => {
  it.each(attacks)('%s', async (_label, ring, forged, refusal) => {
    const node = startNode({ HALLPASS_KEYS: ring, HALLPASS_REFRESH_SECRET: REFRESH_SECRET })
    node.child.stdin.end(JSON.stringify({ type: 'verify_token', msg_id: 1, token: forged }) + '\n')
    // Before the key checks this was token_valid for sub "admin".
    expect(await node.remainingLines()).toEqual([])
    expect(await node.exited).toBe(1)
    const lines = node.stderr().split('\n').filter((line) => line.trim() !== '' && !/ExperimentalWarning|--trace-warnings/.test(line))
    expect(lines).toEqual([`hallpass: cannot start: ${refusal}`])
  })
})

describe('hallpass keygen', () => {
  const keygen = (args: string[], input = '') => spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', ENTRY, 'keygen', ...args], { cwd: ROOT, input, encoding: 'utf8' })

  it.each(['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])('makes an %s key the node signs with, and --public publishes what a verifier needs', async (alg) => {
    const made = keygen(['--alg', alg])
    expect(made.status, made.stderr).toBe(0)
    const jwk = JSON.parse(made.stdout) as GeneratedJwk
    expect(jwk).toMatchObject({ alg, kid: expect.any(String) })
    const node = startNode({ HALLPASS_KEYS: keySet(jwk), HALLPASS_REFRESH_SECRET: REFRESH_SECRET })
    node.child.stdin.end('{"type":"generate_access_token","msg_id":1,"payload":{"sub":"u"}}\n{"type":"jwks","msg_id":2}\n')
    const replies = (await node.remainingLines()).map((line) => JSON.parse(line) as Record<string, unknown>).sort((a, b) => (a.in_reply_to as number) - (b.in_reply_to as number))
    expect(replies[0]).toMatchObject({ type: 'token_generated' })
    if (alg.startsWith('HS')) {
      expect(replies[1]).toMatchObject({ type: 'jwks_ok', keys: [] })
      const published = keygen(['--public'], made.stdout)
      expect(published.status).toBe(1)
      expect(published.stderr).toMatch(/HMAC secret: it has no public half/)
      expect(published.stderr).not.toContain(jwk.k!)
      return
    }
    const published = keygen(['--public'], made.stdout)
    expect(published.status, published.stderr).toBe(0)
    const set = JSON.parse(published.stdout) as { keys: Array<Record<string, unknown>> }
    expect(set.keys).toEqual([{ ...publicOf(jwk), use: 'sig' }])
    expect(replies[1]).toMatchObject({ type: 'jwks_ok', keys: set.keys })
    // A verify-only node on the published set verifies what the signing node issued.
    const verifier = startNode({ HALLPASS_KEYS: published.stdout.trim(), HALLPASS_REFRESH_SECRET: REFRESH_SECRET })
    verifier.child.stdin.end(JSON.stringify({ type: 'verify_token', msg_id: 3, token: replies[0]!.access_token }) + '\n')
    expect(JSON.parse((await verifier.remainingLines())[0]!)).toMatchObject({ type: 'token_valid', payload: { sub: 'u' } })
  })

  it('takes a JWK Set on stdin too, and gives a fresh kid every time', async () => {
    const [a, b] = [JSON.parse(keygen(['--alg', 'ES256']).stdout), JSON.parse(keygen(['--alg', 'ES256']).stdout)] as GeneratedJwk[]
    expect(a!.kid).not.toBe(b!.kid)
    const published = keygen(['--public'], keySet(a!, b!))
    expect((JSON.parse(published.stdout) as { keys: unknown[] }).keys).toHaveLength(2)
  })

  it('refuses a missing or unknown --alg and input that is not JSON, with exit 1', () => {
    for (const args of [[], ['--alg'], ['--alg', 'none'], ['--alg', 'RS512']]) {
      const result = keygen(args)
      expect(result.status, args.join(' ')).toBe(1)
      expect(result.stderr).toMatch(/keygen needs --alg/)
    }
    expect(keygen(['--public'], 'not json').stderr).toMatch(/stdin is not JSON/)
  })

  it('makes keys WebCrypto made: the generated JWK is what generateJwk returns', async () => {
    expect(Object.keys(await generateJwk('EdDSA')).sort()).toEqual(['alg', 'crv', 'd', 'kid', 'kty', 'x'])
  })
})
