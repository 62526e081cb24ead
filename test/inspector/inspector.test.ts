// The inspector end to end in real headless Chromium (Playwright driving /usr/bin/chromium): the
// page served by `npm run inspector`'s server, a token pasted, its fields read back, verified with
// the right and a wrong secret, an expired and an unsigned token flagged; tokens of every public-key
// algorithm (made with jose, not the core) verified with a pasted JWK, JWK Set and PEM, and refused
// with a wrong key, a key of another algorithm, a public key for an HS token (key confusion) and a
// bad key, never with key material or the token in the verdict. Every request the page makes is
// recorded: only the page's own files may be fetched. Takes the screenshot of docs/inspector.png,
// and writes it only for `npm run screenshot` (HALLPASS_SCREENSHOT=1): the suite never writes into
// the checkout.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { importJWK, SignJWT } from 'jose'
import { chromium, type Browser, type Page } from 'playwright'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startInspectorServer, type InspectorServer } from '../../inspector/serve.ts'
import { buildInspectorBundle } from '../../scripts/build-inspector.ts'
import { createHallpass, generateJwk, thumbprint, type Algorithm, type GeneratedJwk } from '../../src/internal.ts'
import { forge, segment, SECRET } from '../support/forge.ts'
import { CHROMIUM } from '../runtimes/chromium-launch.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SCREENSHOT = join(ROOT, 'docs', 'inspector.png')
/** `npm run screenshot` sets it: only then is docs/inspector.png written. */
const WRITE_SCREENSHOT = process.env.HALLPASS_SCREENSHOT === '1'

let server: InspectorServer
let browser: Browser
let page: Page
const requests: string[] = []
const consoleErrors: string[] = []

beforeAll(async () => {
  // The page's copy of the core (generated, not in git), from this checkout's src/.
  await buildInspectorBundle()
  server = await startInspectorServer(0)
  browser = await chromium.launch({ ...CHROMIUM, headless: true })
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' })
  page = await context.newPage()
  // A liveness bound for every page action, not a speed claim: a busy machine may be slow to render.
  page.setDefaultTimeout(15_000)
  page.on('request', (request) => requests.push(request.url()))
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()))
  page.on('pageerror', (error) => consoleErrors.push(error.message))
  await page.goto(server.url)
  await page.waitForSelector('html[data-ready="true"]')
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function paste(token: string, key = ''): Promise<void> {
  await page.fill('#key', key)
  await page.fill('#token', token)
}
const text = (selector: string) => page.locator(selector).innerText()
const verdict = async () => {
  await page.waitForFunction(() => document.getElementById('verdict')!.textContent !== '')
  return text('#verdict')
}
/** The verdict on `token` with `key` pasted, and what the page says the key is. */
async function check(token: string, key: string): Promise<{ verdict: string; detected: string }> {
  await paste(token, key)
  return { verdict: await verdict(), detected: await text('#key-type') }
}

// Keys made in Node by WebCrypto; tokens signed by jose, an implementation independent of the core.
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi']
const IMPORT: Record<string, Parameters<SubtleCrypto['importKey']>[2]> = {
  RSA: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  'P-256': { name: 'ECDSA', namedCurve: 'P-256' },
  'P-384': { name: 'ECDSA', namedCurve: 'P-384' },
  Ed25519: { name: 'Ed25519' },
}

/** A fresh key of `alg` with this kid. */
async function key(alg: Algorithm, kid: string): Promise<GeneratedJwk> {
  return { ...(await generateJwk(alg)), kid }
}
/** The public members of a JWK, with its alg and kid unless told otherwise. */
function publicOf(jwk: GeneratedJwk, { alg = true, kid = true } = {}): JsonWebKey {
  return Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE.includes(member) && (alg || member !== 'alg') && (kid || member !== 'kid')))
}
const json = (value: unknown) => JSON.stringify(value, null, 2)
/** PEM text of DER bytes. */
function armor(der: ArrayBuffer | Uint8Array, label: string): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64')
  return `-----BEGIN ${label}-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`
}
async function spkiOf(jwk: GeneratedJwk): Promise<ArrayBuffer> {
  const imported = await crypto.subtle.importKey('jwk', publicOf(jwk, { alg: false, kid: false }), IMPORT[(jwk.crv ?? jwk.kty)!]!, true, ['verify'])
  return crypto.subtle.exportKey('spki', imported)
}
const pemOf = async (jwk: GeneratedJwk) => armor(await spkiOf(jwk), 'PUBLIC KEY')
/** A token signed by jose with `jwk` under `header.alg` (which may differ from the key's own alg). */
async function jwt(jwk: GeneratedJwk, header: { alg: string; kid?: string; typ?: string }, claims: Record<string, unknown> = {}): Promise<string> {
  const { alg: _alg, kid: _kid, ...material } = jwk
  const signingKey = await importJWK(material, header.alg)
  return new SignJWT({ sub: 'user123', ...claims }).setProtectedHeader({ typ: 'JWT', ...header }).setIssuedAt().setExpirationTime('10m').sign(signingKey)
}
/** No run of 12 characters of `values` (key material, the token) is in `message`. */
function expectNoLeak(message: string, ...values: string[]): void {
  for (const value of values) {
    const compact = value.replace(/\s+/g, '')
    for (let i = 0; i + 12 <= compact.length; i++) expect(message).not.toContain(compact.slice(i, i + 12))
  }
}

describe('the inspector in headless Chromium', () => {
  it('decodes a pasted token: header, payload, times in local time with a countdown', async () => {
    const hp = await createHallpass({ secret: SECRET, issuer: 'https://auth.example' })
    const { access_token } = await hp.issue({ sub: 'user123', email: 'user@example.com', roles: ['user', 'admin'] })
    await paste(access_token)
    expect(JSON.parse(await text('#header'))).toEqual({ alg: 'HS256', typ: 'JWT' })
    const payload = JSON.parse(await text('#payload'))
    expect(payload).toMatchObject({ sub: 'user123', email: 'user@example.com', roles: ['user', 'admin'], iss: 'https://auth.example' })
    const exp = page.locator('#times tr[data-claim="exp"] td')
    expect(await exp.nth(1).innerText()).toBe(new Date(payload.exp * 1000).toLocaleString('en-US', { timeZone: 'UTC' }))
    const before = await exp.nth(2).innerText()
    expect(before).toMatch(/^expires in 1[45]m \d\ds$/)
    await page.waitForFunction((old) => document.querySelector('#times tr[data-claim="exp"] td:nth-child(3)')!.textContent !== old, before, { timeout: 15_000 })
    expect(await text('#status')).toMatch(/^valid for 1[45]m/)
    expect(await text('#warnings')).toBe('No warnings.')
  })

  it('verifies with the right secret and refuses a wrong one', async () => {
    const { access_token } = await (await createHallpass({ secret: SECRET })).issue({ sub: 'user123' })
    await paste(access_token, SECRET)
    expect(await verdict()).toBe('✔ Signature valid (HS256): the token is valid now.')
    expect(await text('#key-type')).toBe('Detected: HS secret (HALLPASS_SECRET), HS256')
    await page.fill('#key', 'another-secret-another-secret-another-secret')
    await page.click('#verify')
    await page.waitForFunction(() => document.getElementById('verdict')!.textContent!.includes('Invalid signature'))
    expect(await text('#verdict')).toBe('✘ Invalid signature: this secret did not sign this token (HS256).')
    await page.fill('#key', 'short')
    expect(await verdict()).toBe('✘ Key refused: secret is too short: 5 bytes, HS256 needs at least 32 (RFC 7518 §3.2)')
    // A line break at the end of a pasted secret is not part of it (as in the former password field).
    await page.fill('#key', `${SECRET}\n`)
    expect(await verdict()).toBe('✔ Signature valid (HS256): the token is valid now.')
  })

  it('flags an expired token, and says its signature is good', async () => {
    const now = Math.floor(Date.now() / 1000)
    await paste(await forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'user123', iat: now - 7200, exp: now - 3600 }), SECRET)
    expect(await text('#status')).toMatch(/^expired 1h 00m ago$/)
    expect(await page.locator('#times tr[data-claim="exp"] td').nth(2).innerText()).toBe('expired 1h 00m ago')
    expect(await verdict()).toBe('✔ Signature valid (HS256), but the token is refused: Token expired (token_expired).')
  })

  it('warns about alg none, a missing exp, a long lifetime and sensitive claims', async () => {
    await paste(`${segment({ alg: 'none', typ: 'JWT' })}.${segment({ sub: 'admin', password: 'hunter2', card: { number: '4111' } })}.`)
    const none = await page.locator('#warnings li').allInnerTexts()
    expect(none.some((w) => w.startsWith('alg is "none"'))).toBe(true)
    expect(none.some((w) => w.startsWith('No exp claim'))).toBe(true)
    expect(none.some((w) => w.includes('"password"'))).toBe(true)
    expect(none.some((w) => w.includes('"card"'))).toBe(true)
    expect(await text('#status')).toBe('no expiry')
    await page.fill('#key', SECRET)
    expect(await verdict()).toBe('✘ Unsigned token (alg none): never accepted, whatever the key.')
    const now = Math.floor(Date.now() / 1000)
    await paste(await forge({ alg: 'HS256' }, { sub: 'u', ssn: '078-05-1120', iat: now, exp: now + 30 * 86400 }), SECRET)
    const long = await page.locator('#warnings li').allInnerTexts()
    expect(long.some((w) => w.startsWith('Long lifetime: 30d'))).toBe(true)
    expect(long.some((w) => w.includes('"ssn"'))).toBe(true)
    expect(await verdict()).toBe('✔ Signature valid (HS256): the token is valid now.')
  })

  it('says what is wrong with something that is not a token, as text', async () => {
    await paste('<img src=x onerror=alert(1)>.not.a-token')
    expect(await page.locator('#error').innerText()).toMatch(/^Malformed token/)
    expect(await page.locator('#decoded').isHidden()).toBe(true)
    const script = `${segment({ alg: 'HS256', typ: '<script>alert(1)</script>' })}.${segment({ sub: '<img src=x onerror=alert(1)>', exp: 1 })}.AAAA`
    await paste(script)
    expect(JSON.parse(await text('#payload')).sub).toBe('<img src=x onerror=alert(1)>')
    expect(await page.locator('#payload img, #header script').count()).toBe(0)
  })

  describe('with a pasted key', () => {
    let es256: GeneratedJwk, es384: GeneratedJwk, ed: GeneratedJwk, rsa: GeneratedJwk, other: GeneratedJwk
    beforeAll(async () => {
      ;[es256, es384, ed, rsa, other] = await Promise.all([key('ES256', 'es-1'), key('ES384', 'es384-1'), key('EdDSA', 'ed-1'), key('RS256', 'rsa-1'), key('ES256', 'es-2')])
    })

    it('verifies ES256 with a public JWK, a private one (by its public members) and one without alg or kid', async () => {
      const token = await jwt(es256, { alg: 'ES256', kid: 'es-1' })
      expect(await check(token, json(publicOf(es256)))).toEqual({ verdict: '✔ Signature valid (ES256, kid es-1): the token is valid now.', detected: 'Detected: JWK: EC P-256 public key, ES256' })
      expect(await check(token, json(es256))).toEqual({
        verdict: '✔ Signature valid (ES256, kid es-1): the token is valid now.',
        detected: 'Detected: JWK: EC P-256 private key (only its public members are used), ES256',
      })
      const bare = await check(token, json(publicOf(es256, { alg: false, kid: false })))
      expect(bare.verdict).toBe(`✔ Signature valid (ES256, key thumbprint ${await thumbprint(publicOf(es256))}): the token is valid now.`)
    })

    it('verifies EdDSA (and the Ed25519 alg name) and ES384 with a PEM public key', async () => {
      const pem = await pemOf(ed)
      const thumb = await thumbprint(publicOf(ed))
      for (const alg of ['EdDSA', 'Ed25519']) {
        expect(await check(await jwt(ed, { alg, kid: 'ed-1' }), pem)).toEqual({
          verdict: `✔ Signature valid (EdDSA, key thumbprint ${thumb}): the token is valid now.`,
          detected: 'Detected: PEM public key: Ed25519 public key, EdDSA',
        })
      }
      const es384Pem = await check(await jwt(es384, { alg: 'ES384' }), await pemOf(es384))
      expect(es384Pem).toEqual({ verdict: `✔ Signature valid (ES384, key thumbprint ${await thumbprint(publicOf(es384))}): the token is valid now.`, detected: 'Detected: PEM public key: EC P-384 public key, ES384' })
    })

    it('selects the key of a JWK Set by kid, or the only key of the alg; says when none fits', async () => {
      const set = json({ keys: [publicOf(es256), publicOf(ed)] })
      const both = await check(await jwt(ed, { alg: 'EdDSA', kid: 'ed-1' }), set)
      expect(both).toEqual({ verdict: '✔ Signature valid (EdDSA, kid ed-1): the token is valid now.', detected: 'Detected: JWK Set, 2 keys: es-1: EC P-256 public key, ES256; ed-1: Ed25519 public key, EdDSA' })
      expect((await check(await jwt(es256, { alg: 'ES256', kid: 'es-1' }), set)).verdict).toBe('✔ Signature valid (ES256, kid es-1): the token is valid now.')
      expect((await check(await jwt(es256, { alg: 'ES256' }), set)).verdict).toBe('✔ Signature valid (ES256, kid es-1): the token is valid now.')
      expect((await check(await jwt(es256, { alg: 'ES256', kid: 'nope' }), set)).verdict).toBe('✘ No key in this set matches kid nope (its kids: es-1, ed-1).')
      expect((await check(await jwt(es256, { alg: 'ES256', kid: 'ed-1' }), set)).verdict).toBe('✘ Key ed-1 is for EdDSA, the token says ES256.')
      expect((await check(await jwt(es384, { alg: 'ES384' }), set)).verdict).toBe('✘ No key in this set is for ES384 (its keys are for ES256, EdDSA).')
      const two = json({ keys: [publicOf(es256), publicOf(other)] })
      expect((await check(await jwt(es256, { alg: 'ES256' }), two)).verdict).toBe('✘ The token names no kid and 2 keys of this set are for ES256: which one signed it cannot be told.')
      // Keys without kid get their RFC 7638 thumbprint, as in the core; keys without alg, their curve's.
      const thumb = await thumbprint(publicOf(ed))
      const unnamed = json({ keys: [publicOf(es256, { kid: false }), publicOf(ed, { alg: false, kid: false })] })
      const byThumb = await check(await jwt(ed, { alg: 'EdDSA', kid: thumb }), unnamed)
      expect(byThumb.verdict).toBe(`✔ Signature valid (EdDSA, kid ${thumb}, its thumbprint): the token is valid now.`)
      expect(byThumb.detected).toContain(`${thumb} (thumbprint): Ed25519 public key, EdDSA`)
    })

    it('verifies RS256 and PS256 with an RSA PEM, saying which the token chose; never another algorithm', async () => {
      const pem = await pemOf(rsa)
      const thumb = await thumbprint(publicOf(rsa))
      for (const alg of ['RS256', 'PS256']) {
        expect(await check(await jwt(rsa, { alg }), pem)).toEqual({
          verdict: `✔ Signature valid (${alg}, key thumbprint ${thumb}): the token is valid now. The RSA key names no alg: ${alg}, the token's, was used (an RSA key verifies RS256 or PS256 only).`,
          detected: 'Detected: PEM public key: RSA 2048-bit public key, RS256 or PS256, as the token says (it names no alg)',
        })
      }
      expect((await check(await jwt(es256, { alg: 'ES256' }), pem)).verdict).toBe('✘ This key is for RS256 or PS256, the token says ES256.')
      // An algorithm the core does not verify is refused before any key, and flagged.
      const rs512 = await jwt(rsa, { alg: 'RS512' })
      expect((await check(rs512, pem)).verdict).toBe('✘ Unsupported algorithm RS512: hallpass verifies HS256, HS384, HS512, RS256, PS256, ES256, ES384, EdDSA (and Ed25519, the same as EdDSA) only.')
      expect(await page.locator('#warnings li').allInnerTexts()).toContain('alg is "RS512": hallpass verifies HS256, HS384, HS512, RS256, PS256, ES256, ES384, EdDSA (and Ed25519, the same as EdDSA) only, so it refuses this token.')
      // An RSA JWK with its alg is bound to it: RS256 and PS256 are not interchangeable.
      expect((await check(await jwt(rsa, { alg: 'PS256', kid: 'rsa-1' }), json(publicOf(rsa)))).verdict).toBe('✘ This key is for RS256, the token says PS256.')
      expect((await check(await jwt(rsa, { alg: 'RS256', kid: 'rsa-1' }), json(publicOf(rsa)))).verdict).toBe('✔ Signature valid (RS256, kid rsa-1): the token is valid now.')
    })

    it('says a wrong key did not sign the token, and a key of another kid or algorithm is not it', async () => {
      const token = await jwt(es256, { alg: 'ES256', kid: 'es-1' })
      expect((await check(token, await pemOf(other))).verdict).toBe(`✘ Invalid signature: this key did not sign this token (ES256, key thumbprint ${await thumbprint(publicOf(other))}).`)
      expect((await check(token, json({ keys: [{ ...publicOf(other), kid: 'es-1' }] }))).verdict).toBe('✘ Invalid signature: the key of this set that fits it did not sign this token (ES256, kid es-1).')
      expect((await check(await jwt(ed, { alg: 'EdDSA' }), json(publicOf(await key('EdDSA', 'ed-2'))))).verdict).toMatch(/^✘ Invalid signature: this key did not sign this token \(EdDSA, kid ed-2\)\.$/)
      expect((await check(token, json(publicOf(other)))).verdict).toBe('✘ This key’s kid is es-2, the token names kid es-1.')
      expect((await check(await jwt(es384, { alg: 'ES384' }), json(publicOf(es256)))).verdict).toBe('✘ This key is for ES256, the token says ES384.')
      expect((await check(await jwt(es256, { alg: 'ES256' }), await pemOf(ed))).verdict).toBe('✘ This key is for EdDSA, the token says ES256.')
      expect((await check(token, SECRET)).verdict).toBe('✘ This secret is for HS256, the token says ES256. A public-key token needs the issuer’s public key: its JWK, JWK Set or PEM.')
      // HS384 with an oct JWK of its own alg; the same key does not verify HS512.
      const hs384 = await key('HS384', 'h-1')
      expect(await check(await jwt(hs384, { alg: 'HS384', kid: 'h-1' }), json(hs384))).toEqual({ verdict: '✔ Signature valid (HS384, kid h-1): the token is valid now.', detected: 'Detected: JWK: secret, HS384' })
      expect((await check(await forge({ alg: 'HS512', kid: 'h-1' }, { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 }, new Uint8Array(64)), json(hs384))).verdict).toBe('✘ This key is for HS384, the token says HS512.')
      expect((await check(await forge({ alg: 'HS256', typ: 'hallpass-refresh+jwt' }, { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 }), SECRET)).verdict).toMatch(/^✘ A refresh token: only its issuer verifies it/)
    })

    it('refuses an HS token with a public key, in every form (key confusion), even when signed with its text', async () => {
      const claims = { sub: 'admin', exp: Math.floor(Date.now() / 1000) + 600 }
      const pem = await pemOf(es256)
      const bare = pem.split('\n').slice(1, -2).join('')
      const refusal = '✘ This key is for ES256, the token says HS256: refused. An HMAC token is never verified with a public key (that is the key-confusion attack); paste the HMAC secret instead.'
      for (const [form, text, detected] of [
        ['PEM', pem, 'Detected: PEM public key: EC P-256 public key, ES256'],
        ['PEM without its BEGIN/END lines', bare, 'Detected: PEM public key (base64 without its BEGIN/END lines): EC P-256 public key, ES256'],
        ['JWK', json(publicOf(es256)), 'Detected: JWK: EC P-256 public key, ES256'],
        ['private JWK', json(es256), 'Detected: JWK: EC P-256 private key (only its public members are used), ES256'],
      ] as const) {
        // The attack: an HMAC with the public key's own text as the secret.
        const forged = await forge({ alg: 'HS256', typ: 'JWT' }, claims, text)
        expect(await check(forged, text), form).toEqual({ verdict: refusal, detected })
      }
      const set = json({ keys: [publicOf(es256), publicOf(ed)] })
      expect((await check(await forge({ alg: 'HS256' }, claims, set), set)).verdict).toBe('✘ This set holds public keys only (ES256, EdDSA), the token says HS256: refused. An HMAC token is never verified with a public key (that is the key-confusion attack); paste the HMAC secret instead.')
      expect((await check(await forge({ alg: 'HS256', kid: 'ed-1' }, claims, set), set)).verdict).toMatch(/^✘ Key ed-1 is for EdDSA, the token says HS256: refused\. /)
      const rsaPem = await pemOf(rsa)
      expect((await check(await forge({ alg: 'HS256' }, claims, rsaPem), rsaPem)).verdict).toMatch(/^✘ This key is for RS256 or PS256, the token says HS256: refused\. /)
    })

    it('refuses a bad key with a clear message holding neither the key nor the token', async () => {
      const token = await jwt(es256, { alg: 'ES256', kid: 'es-1' })
      const { alg: _alg, kid: _kid, ...privateMembers } = es256
      const privateKey = await crypto.subtle.importKey('jwk', privateMembers, IMPORT['P-256']!, true, ['sign'])
      const pkcs8 = armor(await crypto.subtle.exportKey('pkcs8', privateKey), 'PRIVATE KEY')
      const pem = await pemOf(es256)
      const lines = pem.trim().split('\n')
      const small = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
      // x = 0 with the y of a real point: the right length, on no curve.
      const offCurve = { ...publicOf(es256), x: 'A'.repeat(43) }
      const cases: Array<[string, string, string]> = [
        ['a private-key PEM', pkcs8, '✘ Key refused: PEM: this is a private key (PRIVATE KEY): paste its public key, -----BEGIN PUBLIC KEY----- (openssl pkey -pubout)'],
        ['a truncated PEM', `${lines[0]}\n${lines.slice(1, -1).join('').slice(0, -3)}\n${lines.at(-1)}`, '✘ Key refused: PEM: the text between the BEGIN and END lines is not valid base64 (damaged or cut short)'],
        ['a PEM cut at a quad', `${lines[0]}\n${lines.slice(1, -1).join('').slice(0, -8)}\n${lines.at(-1)}`, '✘ Key refused: PEM: the key is not a complete SubjectPublicKeyInfo (damaged or cut short)'],
        ['a PEM without its END line', pem.slice(0, -30), '✘ Key refused: PEM: no -----END PUBLIC KEY----- line: the key is cut short'],
        ['garbage PEM', '-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----', '✘ Key refused: PEM: the text between the BEGIN and END lines is not valid base64 (damaged or cut short)'],
        ['a weak RSA key', armor(await crypto.subtle.exportKey('spki', small.publicKey), 'PUBLIC KEY'), '✘ Key refused: PEM: the RSA modulus has 1024 bits, at least 2048 are needed'],
        ['broken JSON', json(publicOf(es256)).slice(0, -2), '✘ Key refused: this starts like JSON but is not valid JSON: expected a JWK {"kty":…} or a JWK Set {"keys":[…]}'],
        ['a short coordinate', json({ ...publicOf(es256), y: publicOf(es256).y!.slice(0, 40) }), '✘ Key refused: JWK: key "es-1": "y" must be 32 bytes for P-256'],
        ['a point off the curve', json(offCurve), '✘ Key refused: JWK: the key cannot be imported: it is not a valid key'],
        ['a key on another curve', json({ kty: 'EC', crv: 'P-521', x: 'AAAA', y: 'AAAA' }), '✘ Key refused: JWK: an EC key on P-521: hallpass verifies P-256 (ES256), P-384 (ES384) and Ed25519 (EdDSA) keys only'],
        ['a kid twice in a set', json({ keys: [publicOf(es256), { ...publicOf(ed), kid: 'es-1' }] }), '✘ Key refused: JWK Set: key "es-1": the kid is used twice'],
      ]
      for (const [what, pasted, expected] of cases) {
        const { verdict: said, detected } = await check(token, pasted)
        expect(said, what).toBe(expected)
        expect(detected, what).toMatch(/^Detected: (PEM public key|JWK|JWK Set|JSON)$/)
        expectNoLeak(said + detected, token, es256.d!, es256.x!, es256.y!, pkcs8.split('\n').slice(1, -2).join(''))
      }
    })
  })

  it('makes no request but its own files, and logs no error', async () => {
    const origin = new URL(server.url).origin
    expect(requests.length).toBeGreaterThan(0)
    expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([])
    expect(new Set(requests.map((url) => new URL(url).pathname))).toEqual(new Set(['/', '/style.css', '/inspector.js', '/hallpass.js']))
    expect(consoleErrors).toEqual([])
  })

  it('fills in a working example token with its secret', async () => {
    await page.click('#example')
    await page.waitForFunction(() => document.getElementById('verdict')!.textContent!.startsWith('✔'))
    expect(JSON.parse(await text('#payload'))).toMatchObject({ sub: 'user123', iss: 'https://auth.example' })
  })

  it('takes the screenshot of docs/inspector.png, the same on every run: frozen clock, fixed key and token', async () => {
    const frozen = Date.UTC(2026, 0, 15, 9, 30) / 1000
    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' })
    const shot = await context.newPage()
    await shot.clock.setFixedTime(frozen * 1000)
    await shot.goto(server.url)
    await shot.waitForSelector('html[data-ready="true"]')
    // An Ed25519 key from a fixed seed (Ed25519 signatures are deterministic): the same token every run.
    const seed = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('hallpass inspector screenshot key')))
    const pkcs8 = new Uint8Array([...Buffer.from('302e020100300506032b657004220420', 'hex'), ...seed])
    const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign'])
    const { key_ops: _ops, ext: _ext, ...jwk } = (await crypto.subtle.exportKey('jwk', privateKey)) as JsonWebKey
    const kid = await thumbprint(jwk)
    const claims = { sub: 'user123', email: 'user@example.com', roles: ['user', 'admin'], iss: 'https://auth.example', iat: frozen - 120, exp: frozen + 30 * 86400, jti: 'Qm9vdHN0cmFwLTIwMjY' }
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid }).sign(await importJWK(jwk, 'EdDSA'))
    await shot.fill('#token', token)
    await shot.fill('#key', JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' }))
    await shot.waitForFunction(() => document.getElementById('verdict')!.textContent!.startsWith('✔'))
    expect(await shot.locator('#verdict').innerText()).toBe(`✔ Signature valid (EdDSA, kid ${kid}): the token is valid now.`)
    expect(await shot.locator('#warnings li').allInnerTexts()).toEqual([expect.stringMatching(/^Long lifetime: 30d 00h/)])
    const png = await shot.screenshot({ fullPage: true })
    await context.close()
    // A PNG (signature, then the IHDR chunk) as wide as the viewport.
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
    expect(png.readUInt32BE(16)).toBe(1200)
    if (WRITE_SCREENSHOT) writeFileSync(SCREENSHOT, png)
  })
})
