// Trusted issuers on the stdin node (`npm start --silent`): the PROTOCOL cases against the tests'
// JWKS server on 127.0.0.1, a JWKS that cannot be fetched logged on stderr (issuer and reason,
// never the token), and a bad HALLPASS_TRUSTED_ISSUERS stopping the node at start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { trustedIssuerSuite } from '../protocol/trusted.ts'
import { SECRET } from '../support/forge.ts'
import { idpToken, jwksControl, testIssuer, type JwksControl } from '../support/jwks-control.ts'
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
})
