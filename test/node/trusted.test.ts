// Trusted issuers on the stdin node (`npm start --silent`): the PROTOCOL cases against the tests'
// JWKS server on 127.0.0.1, a JWKS that cannot be fetched logged on stderr (issuer and reason,
// never the token), and a bad HALLPASS_TRUSTED_ISSUERS stopping the node at start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { trustedIssuerSuite } from '../protocol/trusted.ts'
import { SECRET } from '../support/forge.ts'
import { idpToken, jwksBody, jwksControl, testIssuer, type JwksControl } from '../support/jwks-control.ts'
import { ED25519_IDENTITY_X, forgeEdDSA, identityEd25519 } from '../support/weak-keys.ts'
import { startJwksServer, type JwksServer } from '../support/jwks-server.ts'
import { connectNode, startNode } from './process.ts'

let server: JwksServer
let control: JwksControl
beforeAll(async () => {
  server = await startJwksServer()
  control = jwksControl(server.origin)
})
afterAll(() => server?.close())

trustedIssuerSuite('stdin node', connectNode, () => control)

describe('stdin node: trusted issuers at start and on failure', () => {
  it('stops at start on a bad HALLPASS_TRUSTED_ISSUERS with one line naming it', async () => {
    const node = startNode({ HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: '[{"issuer":"https://idp.example/","jwks_uri":"https://idp.example/jwks","algorithms":["HS256"]}]' })
    node.child.stdin.end()
    expect(await node.exited).toBe(1)
    expect(node.stderr()).toMatch(/cannot start: HALLPASS_TRUSTED_ISSUERS: issuer "https:\/\/idp.example\/": HS256 is an HMAC algorithm/)
  })
  it('answers unknown_key when the JWKS answers 500, with the issuer and status on stderr and never the token', async () => {
    const issuer = await testIssuer(`node-down-${crypto.randomUUID().slice(0, 8)}`)
    await control.set(issuer.name, { status: 500, body: 'down' })
    const node = startNode({ HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: JSON.stringify([{ issuer: issuer.iss, jwks_uri: control.url(issuer.name) }]) })
    const token = await idpToken(issuer.key, { iss: issuer.iss })
    node.child.stdin.write(JSON.stringify({ type: 'verify_token', msg_id: 1, token }) + '\n')
    expect(JSON.parse(await node.nextLine())).toMatchObject({ type: 'token_invalid', code: 'unknown_key', in_reply_to: 1 })
    node.child.stdin.end()
    await node.exited
    expect(node.stderr()).toContain(`trusted issuer ${JSON.stringify(issuer.iss)}: JWKS ${control.url(issuer.name)} unavailable: HTTP 500`)
    expect(node.stderr()).not.toContain(token.split('.')[1]!)
  })
  it('requires HALLPASS_AUDIENCE of an issuer without an audience of its own; with neither, warns once at start', async () => {
    const issuer = await testIssuer(`node-aud-${crypto.randomUUID().slice(0, 8)}`)
    await control.set(issuer.name, { body: jwksBody(issuer.key) })
    const trusted = JSON.stringify([{ issuer: issuer.iss, jwks_uri: control.url(issuer.name) }])
    const guarded = startNode({ HALLPASS_SECRET: SECRET, HALLPASS_AUDIENCE: 'api://here', HALLPASS_TRUSTED_ISSUERS: trusted })
    for (const [id, aud, type] of [[1, 'api://other', 'token_invalid'], [2, 'api://here', 'token_valid']] as const) {
      guarded.child.stdin.write(JSON.stringify({ type: 'verify_token', msg_id: id, token: await idpToken(issuer.key, { iss: issuer.iss, aud }) }) + '\n')
      expect(JSON.parse(await guarded.nextLine())).toMatchObject({ type, in_reply_to: id })
    }
    guarded.child.stdin.end()
    await guarded.exited
    expect(guarded.stderr()).not.toMatch(/audience/)
    const open = startNode({ HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: trusted })
    open.child.stdin.write(JSON.stringify({ type: 'verify_token', msg_id: 1, token: await idpToken(issuer.key, { iss: issuer.iss, aud: 'api://other' }) }) + '\n')
    expect(JSON.parse(await open.nextLine())).toMatchObject({ type: 'token_valid' })
    open.child.stdin.end()
    await open.exited
    const warnings = open.stderr().split('\n').filter((line) => line.includes('"audience"'))
    expect(warnings).toEqual([`hallpass: trusted issuer ${JSON.stringify(issuer.iss)}: neither its "audience" nor HALLPASS_AUDIENCE is set, so its tokens pass whatever their "aud" (a token it gave another API too): set one (RFC 8725 §3.9)`])
  })
  it('skips a published key anyone can sign for, saying so on stderr with the issuer and kid, never the material', async () => {
    const issuer = await testIssuer(`node-weak-${crypto.randomUUID().slice(0, 8)}`)
    const published = JSON.parse(jwksBody(issuer.key)) as { keys: object[] }
    await control.set(issuer.name, { body: JSON.stringify({ keys: [identityEd25519('weak-ed'), ...published.keys] }) })
    const node = startNode({ HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: JSON.stringify([{ issuer: issuer.iss, jwks_uri: control.url(issuer.name), audience: 'api' }]) })
    const forged = forgeEdDSA({ kid: 'weak-ed' }, { iss: issuer.iss, sub: 'admin', aud: 'api', exp: Math.floor(Date.now() / 1000) + 300 })
    node.child.stdin.write(JSON.stringify({ type: 'verify_token', msg_id: 1, token: forged }) + '\n')
    expect(JSON.parse(await node.nextLine())).toMatchObject({ type: 'token_invalid', code: 'unknown_key', in_reply_to: 1 })
    node.child.stdin.write(JSON.stringify({ type: 'verify_token', msg_id: 2, token: await idpToken(issuer.key, { iss: issuer.iss, aud: 'api' }) }) + '\n')
    expect(JSON.parse(await node.nextLine())).toMatchObject({ type: 'token_valid', in_reply_to: 2 })
    node.child.stdin.end()
    await node.exited
    expect(node.stderr()).toContain(`hallpass: trusted issuer ${JSON.stringify(issuer.iss)}: JWKS ${control.url(issuer.name)}: key "weak-ed": "x" is a small-order Ed25519 point, under which anyone can sign; this key is not used, the others still verify`)
    expect(node.stderr()).not.toContain(ED25519_IDENTITY_X)
    expect(node.stderr()).not.toContain(forged.split('.')[1]!)
  })
})
