// The token inspector served by the edge worker at GET / (Workers static assets, wrangler.toml
// [assets] with run_worker_first): the page and its scripts with the security headers, while every
// API route still reaches the worker.
import { describe, expect, it } from 'vitest'
import { call, message } from './support.ts'

describe('the inspector at GET /', () => {
  it('serves the page with a CSP that forbids any connection', async () => {
    const response = await call('/')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/)
    expect(response.headers.get('Content-Security-Policy')).toMatch(/connect-src 'none'/)
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
    const html = await response.text()
    expect(html).toContain('<title>hallpass inspector</title>')
    expect(html).toContain('src="./inspector.js"')
  })
  it('serves the page scripts, the core bundle included', async () => {
    for (const path of ['/inspector.js', '/hallpass.js', '/style.css']) {
      const response = await call(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
      await response.arrayBuffer()
    }
    const bundle = await (await call('/hallpass.js')).text()
    expect(bundle).toMatch(/export\s*\{[^}]*\bcreateHallpass\b/)
  })
  it('keeps the API routes and the JSON 404', async () => {
    expect(await (await call('/health')).json()).toEqual({ status: 'ok' })
    expect((await call('/v1/messages')).status).toBe(405)
    expect(await (await message({ type: 'inspect_token', msg_id: 1, token: 'x' })).json()).toMatchObject({ type: 'token_invalid', code: 'malformed_token' })
    const missing = await call('/nothing-here.js')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'not_found' })
    expect((await call('/', { method: 'POST' })).status).toBe(404)
  })
})
