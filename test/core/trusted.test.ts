// Trusted issuers in the core: the PROTOCOL rules one test each, and the remote key set against a
// JWKS server of the test's own on 127.0.0.1 that counts its requests (clock injected).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheApiJwksCache, ConfigError, createHallpass, createVerifier, generateJwk, JwksError, RemoteKeySet, type CacheLike, type GeneratedJwk, type HallpassOptions, type JwksCache, type JwksEntry } from '../../src/internal.ts'
import { jwksCacheUrl } from '../../src/jwks/cache.ts'
import { freshness } from '../../src/jwks/fetch.ts'
import { outcome } from '../runtimes/assert.ts'
import { SECRET } from '../support/forge.ts'
import { idpToken, jwksBody, testIssuer } from '../support/jwks-control.ts'
import { startJwksServer, type JwksServer } from '../support/jwks-server.ts'
import { hmacWith, keySet, publicOf, REFRESH_SECRET, signWith } from '../support/keys.ts'
import { ED25519_IDENTITY_X, forgeEdDSA, forgeRs256WithExponentOne, identityEd25519, rsaWithExponent } from '../support/weak-keys.ts'

let server: JwksServer
beforeAll(async () => {
  server = await startJwksServer()
})
afterAll(() => server.close())


let routes = 0
/** A fresh route and issuer for one test, the clock it runs on, and the log lines it wrote. */
async function setup(options: { alg?: 'ES256' | 'RS256' | 'EdDSA'; route?: object; trusted?: object; hallpass?: HallpassOptions } = {}) {
  const issuer = await testIssuer(`idp${++routes}`, options.alg ?? 'ES256')
  server.set(issuer.name, { body: jwksBody(issuer.key), ...options.route })
  const time = { now: Date.now() }
  const logs: string[] = []
  const hp = await createHallpass({
    ...(options.hallpass?.keys === undefined ? { secret: SECRET } : {}),
    clock: () => time.now,
    onWarning: (message) => logs.push(message),
    trustedIssuers: [{ issuer: issuer.iss, jwks_uri: server.url(issuer.name), ...options.trusted }],
    ...options.hallpass,
  })
  const token = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: GeneratedJwk = issuer.key) =>
    idpToken(key, { iss: issuer.iss, sub: 'auth0|user1', iat: Math.floor(time.now / 1000), exp: Math.floor(time.now / 1000) + 3600, ...claims }, header)
  return { issuer, hp, time, logs, token, count: () => server.count(issuer.name) }
}

describe('HALLPASS_TRUSTED_ISSUERS: checked at start', () => {
  const ok = { issuer: 'https://idp.example/', jwks_uri: 'https://idp.example/.well-known/jwks.json' }
  it.each<[string, unknown, RegExp]>([
    ['not JSON', '[{', /not valid JSON/],
    ['not an array', '{"issuer":"x"}', /must be a JSON array/],
    ['an entry that is not an object', ['x'], /issuer #1: must be a JSON object/],
    ['no issuer', [{ jwks_uri: ok.jwks_uri }], /issuer #1: "issuer" must be a non-empty string/],
    ['an unknown member', [{ ...ok, jwksUri: 'x' }], /unknown member "jwksUri"/],
    ['a jwks_uri that is not a URL', [{ ...ok, jwks_uri: 'idp.example/jwks' }], /"jwks_uri" is not a URL/],
    ['plain http to a public host', [{ ...ok, jwks_uri: 'http://idp.example/jwks' }], /must be https:\/\//],
    ['plain http to a private address', [{ ...ok, jwks_uri: 'http://10.0.0.1/jwks' }], /must be https:\/\//],
    ['another scheme', [{ ...ok, jwks_uri: 'file:///etc/jwks.json' }], /must be https:\/\//],
    ['credentials in the URL', [{ ...ok, jwks_uri: 'https://u:p@idp.example/jwks' }], /must not carry credentials/],
    ['an HMAC algorithm', [{ ...ok, algorithms: ['RS256', 'HS256'] }], /HS256 is an HMAC algorithm/],
    ['an unknown algorithm', [{ ...ok, algorithms: ['none'] }], /algorithm "none" is not one of/],
    ['an empty algorithm list', [{ ...ok, algorithms: [] }], /"algorithms" must be a non-empty array/],
    ['an empty audience', [{ ...ok, audience: '' }], /"audience" must be a non-empty string/],
    ['an issuer listed twice', [ok, { ...ok, jwks_uri: 'https://other.example/jwks' }], /"https:\/\/idp.example\/": is listed twice/],
  ])('refuses %s', async (_label, trustedIssuers, message) => {
    const error = await createHallpass({ secret: SECRET, trustedIssuers: trustedIssuers as string }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toMatch(/^HALLPASS_TRUSTED_ISSUERS/)
    expect((error as Error).message).toMatch(message)
  })
  it("refuses an issuer equal to this node's own HALLPASS_ISSUER", async () => {
    await expect(createHallpass({ secret: SECRET, issuer: ok.issuer, trustedIssuers: [ok] })).rejects.toThrow(/this node's own HALLPASS_ISSUER/)
  })
  it('accepts https anywhere and plain http to loopback only (localhost, 127.0.0.0/8, [::1])', async () => {
    for (const jwks_uri of ['https://idp.example/jwks', 'http://localhost:8080/jwks', 'http://127.1.2.3/jwks', 'http://[::1]:9/jwks']) {
      await expect(createHallpass({ secret: SECRET, trustedIssuers: JSON.stringify([{ ...ok, jwks_uri }]) })).resolves.toBeDefined()
    }
  })
  it('fetches nothing at start', async () => {
    const { count } = await setup()
    expect(count()).toBe(0)
  })
})

describe('trusted issuers: the rules of PROTOCOL, one test each', () => {
  it('verifies an issuer token with its published key, with the payload as for own tokens', async () => {
    const { hp, token, issuer } = await setup()
    expect(await hp.verify(await token({ scope: 'read' }))).toMatchObject({ iss: issuer.iss, sub: 'auth0|user1', scope: 'read' })
  })
  it('chooses the issuer by exact iss: one character off is not that issuer (and this node has no key for it)', async () => {
    const { hp, token, issuer } = await setup()
    expect(await outcome(hp.verify(await token({ iss: issuer.iss.slice(0, -1) })))).toBe('unsupported_algorithm')
    expect(await outcome(hp.verify(await token({ iss: issuer.iss.toUpperCase() })))).toBe('unsupported_algorithm')
  })
  it("uses that issuer's keys only: another trusted issuer's key with the same kid does not verify it", async () => {
    const a = await testIssuer('rules-a')
    const b = { ...(await testIssuer('rules-b')), key: { ...(await generateJwk('ES256')), kid: a.key.kid } }
    server.set(a.name, { body: jwksBody(a.key) })
    server.set(b.name, { body: jwksBody(b.key) })
    const hp = await createHallpass({ secret: SECRET, trustedIssuers: [a, b].map((i) => ({ issuer: i.iss, jwks_uri: server.url(i.name) })) })
    const exp = Math.floor(Date.now() / 1000) + 60
    expect(await outcome(hp.verify(await idpToken(b.key, { iss: b.iss, exp })))).toBe('ok')
    expect(await outcome(hp.verify(await idpToken(b.key, { iss: a.iss, exp })))).toBe('invalid_signature')
  })
  it("never verifies with this node's own keys a token naming a trusted issuer", async () => {
    const own = { ...(await generateJwk('ES256')), kid: 'own-1' }
    const { hp, token } = await setup({ hallpass: { keys: keySet(own), refreshSecret: REFRESH_SECRET } })
    // Signed by this node's own ES256 key, kid and all: the issuer publishes no such key.
    expect(await outcome(hp.verify(await token({}, { kid: 'own-1' }, own)))).toBe('unknown_key')
    // The same key with the issuer's kid: the issuer's key does not verify it.
    expect(await outcome(hp.verify(await token({}, {}, { ...own, kid: 'idp' + routes + '-1' })))).toBe('invalid_signature')
    // And the node still verifies its own tokens.
    expect(await outcome(hp.verify((await hp.issue({ sub: 'local' })).access_token))).toBe('ok')
  })
  it("refuses an HS token naming the issuer, even one signed with this node's own secret", async () => {
    const { hp, issuer } = await setup()
    const exp = Math.floor(Date.now() / 1000) + 60
    expect(await outcome(hp.verify(await hmacWith(SECRET, { iss: issuer.iss, sub: 'x', exp })))).toBe('unsupported_algorithm')
  })
  it("takes only algorithms of the issuer's allow-list", async () => {
    const { hp, token } = await setup({ trusted: { algorithms: ['RS256'] } })
    expect(await outcome(hp.verify(await token()))).toBe('unsupported_algorithm')
  })
  it('refuses alg none in any casing', async () => {
    const { hp, token } = await setup()
    const [header, payload] = (await token()).split('.')
    const none = (alg: string) => `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header!, 'base64url').toString()), alg })).toString('base64url')}.${payload}.`
    for (const alg of ['none', 'None', 'NONE']) expect(await outcome(hp.verify(none(alg)))).toBe('unsupported_algorithm')
  })
  it('requires exp, and refuses an expired token', async () => {
    const { hp, token } = await setup()
    expect(await outcome(hp.verify(await token({ exp: undefined })))).toBe('invalid_claims')
    expect(await outcome(hp.verify(await token({ exp: Math.floor(Date.now() / 1000) - 10 })))).toBe('token_expired')
  })
  it('checks aud when an audience is configured: equal, or in the array', async () => {
    const { hp, token } = await setup({ trusted: { audience: 'api://orders' } })
    expect(await outcome(hp.verify(await token()))).toBe('invalid_claims')
    expect(await outcome(hp.verify(await token({ aud: 'api://other' })))).toBe('invalid_claims')
    expect(await outcome(hp.verify(await token({ aud: 'api://orders' })))).toBe('ok')
    expect(await outcome(hp.verify(await token({ aud: ['x', 'api://orders'] })))).toBe('ok')
  })
  it('requires HALLPASS_AUDIENCE of an issuer that sets no audience of its own (RFC 8725 §3.9)', async () => {
    const { hp, token, logs } = await setup({ hallpass: { audience: 'api://here' } })
    // A token the same issuer gave another API, or none at all: not for this one.
    expect(await outcome(hp.verify(await token({ aud: 'api://other' })))).toBe('invalid_claims')
    expect(await outcome(hp.verify(await token()))).toBe('invalid_claims')
    expect(await outcome(hp.verify(await token({ aud: 'api://here' })))).toBe('ok')
    expect(await outcome(hp.verify(await token({ aud: ['api://other', 'api://here'] })))).toBe('ok')
    expect(logs.join('\n')).not.toMatch(/audience/)
  })
  it("holds an issuer's own audience instead of HALLPASS_AUDIENCE when it sets one", async () => {
    const { hp, token } = await setup({ trusted: { audience: 'api://idp' }, hallpass: { audience: 'api://here' } })
    expect(await outcome(hp.verify(await token({ aud: 'api://here' })))).toBe('invalid_claims')
    expect(await outcome(hp.verify(await token({ aud: 'api://idp' })))).toBe('ok')
  })
  it('with neither, takes any aud and warns once, at start, naming the issuer', async () => {
    const { hp, token, logs, issuer } = await setup()
    const warning = `trusted issuer ${JSON.stringify(issuer.iss)}: neither its "audience" nor HALLPASS_AUDIENCE is set, so its tokens pass whatever their "aud" (a token it gave another API too): set one (RFC 8725 §3.9)`
    expect(logs).toEqual([warning])
    for (const aud of [undefined, 'api://anything', ['x', 'y']]) expect(await outcome(hp.verify(await token({ aud })))).toBe('ok')
    expect(logs).toEqual([warning])
  })
  it('createVerifier (hallpass/hono) holds its `audience` the same way, and names that option in the warning', async () => {
    const issuer = await testIssuer(`idp${++routes}`)
    server.set(issuer.name, { body: jwksBody(issuer.key) })
    const logs: string[] = []
    const trustedIssuers = [{ issuer: issuer.iss, jwks_uri: server.url(issuer.name) }]
    const exp = Math.floor(Date.now() / 1000) + 60
    const verifier = await createVerifier({ trustedIssuers, audience: 'api://here', onWarning: (message) => logs.push(message) })
    expect(await outcome(verifier.verify(await idpToken(issuer.key, { iss: issuer.iss, exp, aud: 'api://other' })))).toBe('invalid_claims')
    expect(await outcome(verifier.verify(await idpToken(issuer.key, { iss: issuer.iss, exp, aud: 'api://here' })))).toBe('ok')
    expect(logs).toEqual([])
    await createVerifier({ trustedIssuers, onWarning: (message) => logs.push(message) })
    expect(logs).toEqual([expect.stringContaining(`neither its "audience" nor audience is set`)])
  })
  it('takes typ absent, JWT, at+jwt and application/at+jwt in any casing; any other typ is wrong_token_type', async () => {
    const { hp, token } = await setup()
    for (const typ of [undefined, 'JWT', 'jwt', 'at+jwt', 'AT+JWT', 'application/at+jwt']) expect(await outcome(hp.verify(await token({}, { typ }))), String(typ)).toBe('ok')
    for (const typ of ['hallpass-refresh+jwt', 'JOSE', 'id+jwt', 42]) expect(await outcome(hp.verify(await token({}, { typ }))), String(typ)).toBe('wrong_token_type')
  })
  it('is an access token only: refresh_token with one answers wrong_token_type', async () => {
    const { hp, token } = await setup()
    expect(await outcome(hp.refresh(await token()))).toBe('wrong_token_type')
  })
  it('answers malformed_token for any character outside base64url, whichever message carries the token', async () => {
    const { hp, token } = await setup()
    const [header, payload, signature] = (await token()).split('.')
    for (const bad of [`${header}.${payload}.${signature} `, `${header}.${payload}.${signature}!`, ` ${header}.${payload}.${signature}`, `${header!.slice(0, 5)} ${header!.slice(5)}.${payload}.${signature}`]) {
      for (const operation of [hp.verify, hp.refresh, hp.revoke]) expect(await outcome(operation(bad))).toBe('malformed_token')
    }
  })
  it('revoke_token with one answers invalid_claims: it is revoked at its issuer', async () => {
    const { hp, token } = await setup()
    const t = await token({ jti: 'abc' })
    expect(await outcome(hp.revoke(t))).toBe('invalid_claims')
    expect(await outcome(hp.verify(t))).toBe('ok')
  })
  it("is not refused by this node's revoke_subject (subjects are per issuer)", async () => {
    const { hp, token } = await setup()
    await hp.revokeSubject('auth0|user1')
    expect(await outcome(hp.verify(await token()))).toBe('ok')
  })
  it('refuses to issue a token whose iss names a trusted issuer (error 12)', async () => {
    const { hp, issuer } = await setup()
    expect(await hp.handle({ type: 'generate_access_token', msg_id: 1, payload: { sub: 'x', iss: issuer.iss } })).toMatchObject({ type: 'error', code: 12 })
  })
  it('binds a published key without alg by its type, skips encryption and oct keys, and never uses private members', async () => {
    const { alg: _alg, ...bare } = publicOf((await testIssuer('x')).key)
    const issuer = await testIssuer(`idp${++routes}`)
    const { alg: _a, ...noAlg } = publicOf(issuer.key)
    const oct = { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), alg: 'HS256', kid: 'mac' }
    server.set(issuer.name, { body: JSON.stringify({ keys: [oct, { ...bare, use: 'enc', kid: 'enc' }, noAlg] }) })
    const hp = await createHallpass({ secret: SECRET, trustedIssuers: [{ issuer: issuer.iss, jwks_uri: server.url(issuer.name) }] })
    const exp = Math.floor(Date.now() / 1000) + 60
    expect(await outcome(hp.verify(await idpToken(issuer.key, { iss: issuer.iss, exp })))).toBe('ok')
    // An HS256 token under the published oct key: HMAC is never a trusted issuer's.
    expect(await outcome(hp.verify(await hmacWith(Buffer.alloc(32, 1), { iss: issuer.iss, exp }, 'mac')))).toBe('unsupported_algorithm')
  })
  it('skips a published key anyone can sign for with a warning naming the issuer and kid; a token naming it is unknown_key', async () => {
    const issuer = await testIssuer(`idp${++routes}`)
    const weakRsa = await rsaWithExponent('weak-rsa', 'AQ')
    const injected = identityEd25519('x\nhallpass: a line of its own')
    server.set(issuer.name, { body: JSON.stringify({ keys: [identityEd25519('weak-ed'), weakRsa, injected, ...(JSON.parse(jwksBody(issuer.key)) as { keys: object[] }).keys] }) })
    const logs: string[] = []
    const hp = await createHallpass({ secret: SECRET, onWarning: (message) => logs.push(message), trustedIssuers: [{ issuer: issuer.iss, jwks_uri: server.url(issuer.name) }] })
    const claims = { iss: issuer.iss, sub: 'admin', exp: Math.floor(Date.now() / 1000) + 60 }
    const forged = [forgeEdDSA({ kid: 'weak-ed' }, claims), await forgeRs256WithExponentOne(weakRsa, claims)]
    for (const token of forged) expect(await outcome(hp.verify(token))).toBe('unknown_key')
    expect(await outcome(hp.verify(await idpToken(issuer.key, claims)))).toBe('ok')
    const prefix = `trusted issuer ${JSON.stringify(issuer.iss)}: JWKS ${server.url(issuer.name)}`
    expect(logs).toContain(`${prefix}: key "weak-ed": "x" is a small-order Ed25519 point, under which anyone can sign; this key is not used, the others still verify`)
    expect(logs).toContain(`${prefix}: key "weak-rsa": the RSA public exponent "e" must be odd, at least 65537 and below 2^256 (NIST SP 800-56B); this key is not used, the others still verify`)
    for (const material of [ED25519_IDENTITY_X, weakRsa.n!.slice(0, 16), ...forged.map((token) => token.split('.')[2]!)]) expect(logs.join('\n')).not.toContain(material)
    // The issuer chooses its kids: quoted as JSON, one cannot start a log line of its own.
    expect(logs).toContain(`${prefix}: key "x\\nhallpass: a line of its own": "x" is a small-order Ed25519 point, under which anyone can sign; this key is not used, the others still verify`)
    for (const line of logs) expect(line).not.toContain('\n')
    // A set of weak keys alone is no usable key at all.
    const lone = await testIssuer(`idp${++routes}`)
    server.set(lone.name, { body: JSON.stringify({ keys: [identityEd25519('weak-ed')] }) })
    const alone = await createHallpass({ secret: SECRET, onWarning: (message) => logs.push(message), trustedIssuers: [{ issuer: lone.iss, jwks_uri: server.url(lone.name) }] })
    expect(await outcome(alone.verify(forgeEdDSA({ kid: 'weak-ed' }, { ...claims, iss: lone.iss })))).toBe('unknown_key')
  })
  it('verifies RS256 and EdDSA issuers as well', async () => {
    for (const alg of ['RS256', 'EdDSA'] as const) {
      const { hp, token } = await setup({ alg })
      expect(await outcome(hp.verify(await token())), alg).toBe('ok')
    }
  })
  it('works in createVerifier (hallpass/hono) with trusted issuers alone', async () => {
    const issuer = await testIssuer(`idp${++routes}`)
    server.set(issuer.name, { body: jwksBody(issuer.key) })
    const verifier = await createVerifier({ trustedIssuers: [{ issuer: issuer.iss, jwks_uri: server.url(issuer.name) }] })
    const exp = Math.floor(Date.now() / 1000) + 60
    expect(await verifier.verify(await idpToken(issuer.key, { iss: issuer.iss, exp, sub: 's' }))).toMatchObject({ sub: 's' })
    expect(await outcome(verifier.verify(await hmacWith(SECRET, { exp })))).toBe('unsupported_algorithm')
  })
})

describe('trusted issuers and HALLPASS_VERIFY_CACHE', () => {
  it("stops answering a token once its key is withdrawn from the issuer's JWKS and the set is fetched again", async () => {
    const { hp, token, count, issuer, time } = await setup({ route: { headers: { 'Cache-Control': 'max-age=60' } }, hallpass: { verifyCache: 100 } })
    const t = await token()
    expect(await outcome(hp.verify(t))).toBe('ok')
    expect(await outcome(hp.verify(t))).toBe('ok')
    expect(count()).toBe(1)
    // The issuer rotates: its old key is gone from the set it publishes.
    const next = { ...(await generateJwk('ES256')), kid: 'rotated' }
    server.set(issuer.name, { body: jwksBody(next), headers: { 'Cache-Control': 'max-age=60' } })
    time.now += 61_000
    expect(await outcome(hp.verify(t))).toBe('unknown_key')
    expect(count()).toBe(2)
    expect(await outcome(hp.verify(t))).toBe('unknown_key')
    expect(await outcome(hp.verify(await token({}, {}, next)))).toBe('ok')
    // This node's own tokens are still remembered: a hit skips the signature, not the revocation check.
    const own = (await hp.issue({ sub: 'local' })).access_token
    expect(await outcome(hp.verify(own))).toBe('ok')
    await hp.revoke(own)
    expect(await outcome(hp.verify(own))).toBe('token_revoked')
  })
})

describe('trusted issuers: the remote key set against a counting JWKS server', () => {
  it('steady state makes no fetch: one fetch for a hundred verifies', async () => {
    const { hp, token, count } = await setup()
    const t = await token()
    for (let i = 0; i < 100; i++) await hp.verify(t)
    expect(count()).toBe(1)
  })
  it('a new kid costs one refetch (once the last fetch is 30 s old)', async () => {
    const { hp, token, count, issuer, time } = await setup()
    await hp.verify(await token())
    const next = { ...(await generateJwk('ES256')), kid: 'next' }
    server.set(issuer.name, { body: jwksBody(issuer.key, next) })
    time.now += 30_000
    expect(await outcome(hp.verify(await token({}, {}, next)))).toBe('ok')
    expect(count()).toBe(2)
    expect(await outcome(hp.verify(await token({}, {}, next)))).toBe('ok')
    expect(count()).toBe(2)
  })
  it('a burst of unknown kids makes at most one fetch per 30 s', async () => {
    const { hp, token, count, time } = await setup()
    await hp.verify(await token())
    const strangers = await Promise.all(Array.from({ length: 20 }, async (_, i) => ({ ...(await generateJwk('ES256')), kid: `stranger-${i}` })))
    const tokens = await Promise.all(strangers.map((key) => token({}, {}, key)))
    // Within 30 s of the first fetch: no refetch at all.
    expect(new Set(await Promise.all(tokens.map((t) => outcome(hp.verify(t)))))).toEqual(new Set(['unknown_key']))
    expect(count()).toBe(1)
    for (let round = 1; round <= 3; round++) {
      time.now += 30_000
      await Promise.all(tokens.map((t) => outcome(hp.verify(t))))
      for (const t of tokens) expect(await outcome(hp.verify(t))).toBe('unknown_key')
      expect(count()).toBe(1 + round)
    }
  })
  it('keeps known keys verifying when refetches answer 500 (stale-if-error, up to 24 h), and logs why', async () => {
    const { hp, token, count, issuer, time, logs } = await setup()
    const t = await token({ exp: Math.floor(time.now / 1000) + 3 * 86400 })
    await hp.verify(t)
    server.set(issuer.name, { status: 500, body: 'oops' })
    time.now += 11 * 60_000 // past the default 10 min max-age
    expect(await outcome(hp.verify(t))).toBe('ok')
    expect(count()).toBe(2)
    expect(await outcome(hp.verify(t))).toBe('ok')
    expect(count()).toBe(2) // the failure holds off refetches for 30 s
    expect(logs.join('\n')).toMatch(new RegExp(`trusted issuer "${issuer.iss}".*HTTP 500.*keep verifying`))
    expect(logs.join('\n')).not.toContain(t)
    time.now += 23 * 3600_000
    expect(await outcome(hp.verify(t))).toBe('ok')
    time.now += 3600_000
    expect(await outcome(hp.verify(t))).toBe('unknown_key')
  })
  it('does not follow a redirect', async () => {
    const target = await testIssuer(`idp${++routes}`)
    server.set(target.name, { body: jwksBody(target.key) })
    const { hp, token, logs } = await setup({ route: { status: 302, location: server.url(target.name) } })
    expect(await outcome(hp.verify(await token()))).toBe('unknown_key')
    expect(server.count(target.name)).toBe(0)
    expect(logs.join('\n')).toMatch(/HTTP 302: redirects are not followed/)
  })
  it('refuses a status other than 200', async () => {
    const { hp, token } = await setup({ route: { status: 203 } })
    expect(await outcome(hp.verify(await token()))).toBe('unknown_key')
  })
  it('ends a body over the bound in unknown_key, without reading it all', async () => {
    const { hp, token, logs } = await setup({ route: { hugeBytes: 4 * 1024 * 1024 } })
    expect(await outcome(hp.verify(await token()))).toBe('unknown_key')
    expect(logs.join('\n')).toMatch(/over the 524288-byte bound/)
  })
  it('ends a server slower than 5 s in unknown_key within the bound', async () => {
    const { hp, token, logs } = await setup({ route: { delayMs: 8_000 } })
    const t = await token()
    const started = performance.now()
    expect(await outcome(hp.verify(t))).toBe('unknown_key')
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThan(4_900)
    expect(elapsed).toBeLessThan(6_000)
    expect(logs.join('\n')).toMatch(/timeout/)
  }, 15_000)
  it('shares one fetch among concurrent verifies', async () => {
    const { hp, token, count } = await setup({ route: { delayMs: 300 } })
    const t = await token()
    const results = await Promise.all(Array.from({ length: 25 }, () => outcome(hp.verify(t))))
    expect(new Set(results)).toEqual(new Set(['ok']))
    expect(count()).toBe(1)
  })
  it('holds Cache-Control max-age within 1 min – 24 h, 10 min without one', () => {
    const of = (value?: string, age?: string) => freshness(new Headers({ ...(value === undefined ? {} : { 'Cache-Control': value }), ...(age === undefined ? {} : { Age: age }) }))
    expect(of()).toBe(600)
    expect(of('public, max-age=300')).toBe(300)
    expect(of('max-age=5')).toBe(60)
    expect(of('max-age=999999')).toBe(86400)
    expect(of('no-store')).toBe(60)
    expect(of('max-age=3600', '3000')).toBe(600)
    expect(of('s-maxage=5000')).toBe(600)
  })
  it('refetches when max-age runs out, not before', async () => {
    const { hp, token, count, time } = await setup({ route: { headers: { 'Cache-Control': 'public, max-age=120' } } })
    const t = await token({ exp: Math.floor(time.now / 1000) + 7200 })
    await hp.verify(t)
    time.now += 119_000
    await hp.verify(t)
    expect(count()).toBe(1)
    time.now += 2_000
    await hp.verify(t)
    expect(count()).toBe(2)
  })
  it('verifies from a shared cache without fetching: a second instance on the same cache', async () => {
    const entries = new Map<string, JwksEntry>()
    const shared: JwksCache = { read: async (uri) => entries.get(uri), write: async (uri, entry) => void entries.set(uri, entry) }
    const { hp, token, count, issuer } = await setup({ hallpass: { jwksCache: shared } })
    await hp.verify(await token())
    expect(count()).toBe(1)
    expect(entries.size).toBe(1)
    const second = await createHallpass({ secret: SECRET, jwksCache: shared, trustedIssuers: [{ issuer: issuer.iss, jwks_uri: server.url(issuer.name) }] })
    expect(await outcome(second.verify(await token()))).toBe('ok')
    expect(count()).toBe(1)
  })
  it('the Cache API cache names entries by an HMAC of the jwks_uri and returns only what its seal covers', async () => {
    const stored = new Map<string, string>()
    const cache: CacheLike = { match: async (url) => (stored.has(url) ? new Response(stored.get(url)) : undefined), put: async (url, response) => void stored.set(url, await response.text()) }
    const secret = 'jwks-cache-secret-of-at-least-32-bytes!'
    const shared = cacheApiJwksCache(cache, secret)
    const [uri, other] = ['https://idp.example/jwks', 'https://other.example/jwks']
    const entry = { body: '{"keys":[]}', fetchedAt: 1_700_000_000_000, maxAge: 600 }
    await shared.write(uri, entry)
    expect(await shared.read(uri)).toEqual(entry)
    expect(await shared.read(other)).toBeUndefined()
    expect(await cacheApiJwksCache(cache, 'another-secret-of-at-least-32-bytes!!').read(uri)).toBeUndefined()
    const url = await jwksCacheUrl(secret, uri)
    expect([...stored.keys()]).toEqual([url])
    const sealed = JSON.parse(stored.get(url)!) as Record<string, unknown>
    expect(Object.keys(sealed).sort()).toEqual(['body', 'fetchedAt', 'mac', 'maxAge'])
    // Any member changed, the seal gone or broken, or the entry moved under another jwks_uri: refused.
    for (const change of [{ body: '{"keys":[{}]}' }, { fetchedAt: entry.fetchedAt + 1 }, { maxAge: 86_400 }, { mac: undefined }, { mac: 'AAAA' }, { mac: 42 }]) {
      stored.set(url, JSON.stringify({ ...sealed, ...change }))
      await expect(shared.read(uri), JSON.stringify(change)).rejects.toThrow('it failed authentication (forged, or corrupted)')
    }
    stored.set(url, 'not json')
    await expect(shared.read(uri)).rejects.toThrow(/failed authentication/)
    stored.set(await jwksCacheUrl(secret, other), JSON.stringify(sealed))
    await expect(shared.read(other)).rejects.toThrow(/failed authentication/)
    expect(() => cacheApiJwksCache(cache, 'short')).toThrow(ConfigError)
  })
  it('a shared cache entry that fails authentication is logged and ignored: the set is fetched', async () => {
    const refusing: JwksCache = { read: async () => Promise.reject(new JwksError('it failed authentication (forged, or corrupted)')), write: async () => {} }
    const { hp, token, count, logs, issuer } = await setup({ hallpass: { jwksCache: refusing } })
    expect(await outcome(hp.verify(await token()))).toBe('ok')
    expect(count()).toBe(1)
    expect(logs).toContain(`trusted issuer ${JSON.stringify(issuer.iss)}: the JWKS cache's entry for ${server.url(issuer.name)} is ignored: it failed authentication (forged, or corrupted)`)
  })
  it('a key set that cannot be fetched is no key (404), tried again only 30 s later, and then recovers', async () => {
    const time = { now: Date.now() }
    const issuer = await testIssuer(`idp${++routes}`)
    const keys = new RemoteKeySet({ issuer: 'x', uri: server.url(issuer.name), algorithms: ['ES256'], clock: () => time.now, log: () => {} })
    const header = { alg: 'ES256', kid: issuer.key.kid }
    expect(await keys.key(header)).toBeUndefined()
    expect(await keys.key(header)).toBeUndefined()
    expect(server.count(issuer.name)).toBe(1)
    server.set(issuer.name, { body: jwksBody(issuer.key) })
    time.now += 30_000
    expect(await keys.key(header)).toBeDefined()
    expect(server.count(issuer.name)).toBe(2)
  })
  it('works with the same key set signed by jose-style tokens without kid (the one key of the alg)', async () => {
    const { hp, issuer } = await setup()
    const t = await signWith(issuer.key, { alg: 'ES256' }, { iss: issuer.iss, exp: Math.floor(Date.now() / 1000) + 60 })
    expect(await outcome(hp.verify(t))).toBe('ok')
  })
  it('never waits on a fetch that never settles (a Workers request that ended): bounded, then dropped', async () => {
    const time = { now: Date.now() }
    let calls = 0
    const hanging = () => {
      calls++
      return new Promise<Response>(() => {}) // ignores its AbortSignal, like a fetch whose request is gone
    }
    const keys = new RemoteKeySet({ issuer: 'x', uri: 'https://idp.example/jwks', algorithms: ['ES256'], fetch: hanging, clock: () => time.now, log: () => {}, timeoutMs: 200 })
    const started = performance.now()
    expect(await Promise.all([keys.key({ alg: 'ES256' }), keys.key({ alg: 'ES256' })])).toEqual([undefined, undefined])
    expect(performance.now() - started).toBeLessThan(1_500)
    expect(calls).toBe(1)
    time.now += 30_000
    expect(await keys.key({ alg: 'ES256' })).toBeUndefined()
    expect(calls).toBe(2)
  })
})
