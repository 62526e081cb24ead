// examples/browser in headless Chromium, against the BUILT package: the runtime-chromium project
// resolves `hallpass` to dist/index.js (as the example's import map does), so this is the code that
// ships, loaded as browser ES modules.
import { describe, expect, it } from 'vitest'
import { demo, render } from '../../../examples/browser/app.js'

describe('examples/browser', () => {
  it('issues, verifies, refreshes and detects reuse in the page', async () => {
    expect(await demo()).toEqual({ sub: 'user123', header: { alg: 'HS256', typ: 'JWT' }, expires_in: 300, rotated: true, reuse: 'refresh_token_reused' })
  })
  it('renders its result into the page', async () => {
    const out = document.createElement('pre')
    document.body.append(out)
    await render(out)
    expect(JSON.parse(out.textContent!)).toMatchObject({ sub: 'user123', reuse: 'refresh_token_reused' })
  })
  it('loads the built package (dist/index.js) as the page would', async () => {
    const response = await fetch(new URL('/dist/index.js', location.origin))
    expect(response.ok).toBe(true)
    expect(await response.text()).toMatch(/export \{ createHallpass/)
  })
})
