// hallpass in a browser page, as a plain ES module: index.html maps `hallpass` to the built package
// with an import map (a bundler resolves it from node_modules instead). Everything runs in the page
// with WebCrypto; nothing is sent anywhere.
import { createHallpass, errors, inspect } from 'hallpass'

/** Issues, verifies, refreshes and revokes in the page; resolves with what happened. */
export async function demo(secret = 'example-secret-that-is-at-least-32-bytes!') {
  const hp = await createHallpass({ secret, accessTtl: 300 })
  const tokens = await hp.issue({ sub: 'user123', roles: ['user'] })
  const claims = await hp.verify(tokens.access_token)
  const next = await hp.refresh(tokens.refresh_token)
  const reuse = await hp.refresh(tokens.refresh_token).then(
    () => 'accepted',
    (error) => (error instanceof errors.TokenError ? error.code : Promise.reject(error)),
  )
  return {
    sub: claims.sub,
    header: inspect(tokens.access_token).header,
    expires_in: tokens.expires_in,
    rotated: next.refresh_token !== tokens.refresh_token,
    reuse,
  }
}

/** Runs the demo and shows its result in `element`. */
export async function render(element) {
  const result = await demo()
  element.textContent = JSON.stringify(result, null, 2)
  return result
}
