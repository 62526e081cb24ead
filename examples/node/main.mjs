// hallpass from Node. In this repository: `npm run example:node` (it builds dist/; the file imports
// `hallpass` by name, which Node resolves to this package itself). In a project of yours with the
// package installed: `node main.mjs`.
// The core is the same WebCrypto code as everywhere; `hallpass/node` adds node:crypto's primitives.
import { createHallpass, errors } from 'hallpass'
import { nodeCrypto } from 'hallpass/node'

const hp = await createHallpass({
  secret: process.env.HALLPASS_SECRET ?? 'example-secret-that-is-at-least-32-bytes!',
  issuer: 'https://auth.example',
  crypto: nodeCrypto,
})

const tokens = await hp.issue({ sub: 'user123', roles: ['user'] })
const claims = await hp.verify(tokens.access_token)
const next = await hp.refresh(tokens.refresh_token)
let reuse
try {
  await hp.refresh(tokens.refresh_token) // spent: reuse revokes the family
} catch (error) {
  if (!(error instanceof errors.TokenError)) throw error
  reuse = error.code
}
const reply = await hp.handle({ type: 'verify_token', msg_id: 1, token: next.access_token })

console.log(JSON.stringify({ runtime: `node ${process.versions.node}`, sub: claims.sub, iss: claims.iss, expires_in: tokens.expires_in, reuse, reply: reply?.type }))
