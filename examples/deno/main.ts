// hallpass from Deno: issue, verify, refresh with rotation, reuse detection and revocation.
// In this repository: `npm run example:deno` (it builds dist/ and runs this file with the `deno`
// devDependency; deno.json maps `hallpass` to ../../dist/index.js). In a project of yours with
// hallpass in package.json: `deno run main.ts`.
import { createHallpass, errors, inspect } from 'hallpass'

const hp = await createHallpass({ secret: 'example-secret-that-is-at-least-32-bytes!', accessTtl: 60 })

/** The code a refused token gets, or 'accepted'. */
async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work
    return 'accepted'
  } catch (error) {
    if (error instanceof errors.TokenError) return error.code
    throw error
  }
}

const tokens = await hp.issue({ sub: 'user123', roles: ['user'] })
const claims = await hp.verify(tokens.access_token)
const { header } = inspect(tokens.access_token)
const next = await hp.refresh(tokens.refresh_token)
const reuse = await outcome(hp.refresh(tokens.refresh_token)) // spent: reuse revokes the family
const afterReuse = await outcome(hp.refresh(next.refresh_token))
await hp.revoke(next.access_token)
const revoked = await outcome(hp.verify(next.access_token))

console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, sub: claims.sub, alg: header.alg, expires_in: tokens.expires_in, reuse, afterReuse, revoked }))
