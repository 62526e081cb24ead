// hallpass from Deno. In a project with hallpass in package.json (`deno install npm:hallpass`, or
// `npm install hallpass`), `deno run main.ts`; in this repository, after `npm run build`:
// `cd examples/deno && deno run main.ts` (deno.json maps `hallpass` to ../../dist/index.js).
import { createHallpass, inspect, TokenError } from 'hallpass'

const hp = await createHallpass({ secret: 'example-secret-that-is-at-least-32-bytes!', accessTtl: 60 })

const tokens = await hp.issue({ sub: 'user123', roles: ['user'] })
const claims = await hp.verify(tokens.access_token)
const { header } = inspect(tokens.access_token)
await hp.revoke(tokens.access_token)
let revoked = ''
try {
  await hp.verify(tokens.access_token)
} catch (error) {
  if (error instanceof TokenError) revoked = error.code
}

console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, sub: claims.sub, alg: header.alg, expires_in: tokens.expires_in, revoked }))
