// PROTOCOL's trusted issuers over a transport (the stdin node, the worker's /v1/messages): a node
// configured with HALLPASS_TRUSTED_ISSUERS pointing at the tests' JWKS server on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateJwk, type GeneratedJwk } from '../../src/internal.ts'
import { SECRET } from '../support/forge.ts'
import { idpToken, jwksBody, testIssuer, type JwksControl } from '../support/jwks-control.ts'
import { hmacWith } from '../support/keys.ts'
import { forgeEdDSA, forgeRs256WithExponentOne, identityEd25519, rsaWithExponent } from '../support/weak-keys.ts'
import { bodyOf, type Connect, type Message, type Transport } from './transport.ts'

export function trustedIssuerSuite(name: string, connect: Connect, control: () => JwksControl): void {
  describe(`${name}: trusted issuers (HALLPASS_TRUSTED_ISSUERS)`, () => {
    let transport: Transport
    let issuer: { name: string; iss: string; key: GeneratedJwk }
    let msgId = 0
    const ask = async (body: Message): Promise<Message> => bodyOf(await transport.request({ ...body, msg_id: ++msgId }))
    const token = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: GeneratedJwk = issuer.key) =>
      idpToken(key, { iss: issuer.iss, sub: 'idp-user', aud: 'api', ...claims }, header)

    // A second issuer whose JWKS publishes keys anyone can sign for (issue 22) beside a good one.
    let weak: { name: string; iss: string; key: GeneratedJwk }
    let weakRsa: JsonWebKey & { kid: string }

    beforeAll(async () => {
      issuer = await testIssuer(`transport-${name.replace(/\W+/g, '-')}-${crypto.randomUUID().slice(0, 8)}`)
      await control().set(issuer.name, { body: jwksBody(issuer.key), headers: { 'Cache-Control': 'max-age=600' } })
      weak = await testIssuer(`weak-${name.replace(/\W+/g, '-')}-${crypto.randomUUID().slice(0, 8)}`)
      weakRsa = await rsaWithExponent('weak-rsa', 'AQ')
      const published = JSON.parse(jwksBody(weak.key)) as { keys: object[] }
      await control().set(weak.name, { body: JSON.stringify({ keys: [identityEd25519('weak-ed'), weakRsa, ...published.keys] }), headers: { 'Cache-Control': 'max-age=600' } })
      transport = await connect({
        HALLPASS_SECRET: SECRET,
        HALLPASS_TRUSTED_ISSUERS: JSON.stringify([
          { issuer: issuer.iss, jwks_uri: control().url(issuer.name), audience: 'api', algorithms: ['ES256'] },
          { issuer: weak.iss, jwks_uri: control().url(weak.name), audience: 'api' },
        ]),
      })
    })
    afterAll(async () => {
      await transport?.close()
    })

    it("verifies the issuer's token with its published key: token_valid with all claims, one fetch for many", async () => {
      const t = await token({ scope: 'orders:read' })
      for (let i = 0; i < 5; i++) expect(await ask({ type: 'verify_token', token: t })).toMatchObject({ type: 'token_valid', payload: { iss: issuer.iss, sub: 'idp-user', scope: 'orders:read' } })
      expect(await control().count(issuer.name)).toBe(1)
    })
    it('refuses an HS token naming the issuer, signed with this node\'s own secret: unsupported_algorithm', async () => {
      const t = await hmacWith(SECRET, { iss: issuer.iss, sub: 'x', aud: 'api', exp: Math.floor(Date.now() / 1000) + 60 })
      expect(await ask({ type: 'verify_token', token: t })).toMatchObject({ type: 'token_invalid', code: 'unsupported_algorithm' })
    })
    it('refuses another key with the same kid (invalid_signature) and an unknown kid (unknown_key)', async () => {
      const impostor = { ...(await generateJwk('ES256')), kid: issuer.key.kid }
      expect(await ask({ type: 'verify_token', token: await token({}, {}, impostor) })).toMatchObject({ type: 'token_invalid', code: 'invalid_signature' })
      expect(await ask({ type: 'verify_token', token: await token({}, {}, { ...impostor, kid: 'nope' }) })).toMatchObject({ type: 'token_invalid', code: 'unknown_key' })
    })
    it("skips a published key anyone can sign for (small-order Ed25519, RSA e = 1): a token naming it is unknown_key, the issuer's other keys still verify", async () => {
      const claims = { iss: weak.iss, sub: 'admin', aud: 'api', exp: Math.floor(Date.now() / 1000) + 300 }
      // Before the key checks the stdin node answered token_valid to both forgeries, the worker to the EdDSA one.
      expect(await ask({ type: 'verify_token', token: forgeEdDSA({ typ: 'at+jwt', kid: 'weak-ed' }, claims) })).toMatchObject({ type: 'token_invalid', code: 'unknown_key' })
      expect(await ask({ type: 'verify_token', token: await forgeRs256WithExponentOne(weakRsa, claims) })).toMatchObject({ type: 'token_invalid', code: 'unknown_key' })
      expect(await ask({ type: 'verify_token', token: await idpToken(weak.key, { iss: weak.iss, sub: 'idp-user', aud: 'api' }) })).toMatchObject({ type: 'token_valid', payload: { sub: 'idp-user' } })
    })
    it('checks aud, exp and typ', async () => {
      expect(await ask({ type: 'verify_token', token: await token({ aud: 'other' }) })).toMatchObject({ code: 'invalid_claims' })
      expect(await ask({ type: 'verify_token', token: await token({ exp: undefined }) })).toMatchObject({ code: 'invalid_claims' })
      expect(await ask({ type: 'verify_token', token: await token({ exp: Math.floor(Date.now() / 1000) - 5 }) })).toMatchObject({ code: 'token_expired' })
      expect(await ask({ type: 'verify_token', token: await token({}, { typ: 'JWT' }) })).toMatchObject({ type: 'token_valid' })
      expect(await ask({ type: 'verify_token', token: await token({}, { typ: 'hallpass-refresh+jwt' }) })).toMatchObject({ code: 'wrong_token_type' })
    })
    it('refresh_token with such a token is wrong_token_type; revoke_token is invalid_claims', async () => {
      const t = await token()
      expect(await ask({ type: 'refresh_token', refresh_token: t })).toMatchObject({ type: 'token_invalid', code: 'wrong_token_type' })
      expect(await ask({ type: 'revoke_token', token: t })).toMatchObject({ type: 'token_invalid', code: 'invalid_claims' })
      expect(await ask({ type: 'verify_token', token: t })).toMatchObject({ type: 'token_valid' })
    })
    it("keeps issuing and verifying this node's own tokens; refuses to issue one naming the trusted issuer", async () => {
      const issued = await ask({ type: 'generate_access_token', payload: { sub: 'local' } })
      expect(await ask({ type: 'verify_token', token: issued.access_token })).toMatchObject({ type: 'token_valid', payload: { sub: 'local' } })
      expect(await ask({ type: 'generate_access_token', payload: { sub: 'local', iss: issuer.iss } })).toMatchObject({ type: 'error', code: 12 })
    })
  })
}
