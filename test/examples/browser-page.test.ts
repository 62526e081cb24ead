// examples/browser/index.html as a real page in headless Chromium: its import map sends `hallpass`
// to the built dist/index.js. Playwright answers every request from the repository's files, so the
// page loads exactly what a static server of the repository would serve, with no network at all.
import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM } from '../runtimes/chromium-launch.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ORIGIN = 'http://hallpass.localhost'
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }

let browser: Browser

beforeAll(async () => {
  browser = await chromium.launch({ ...CHROMIUM, headless: true })
}, 30_000)
afterAll(async () => {
  await browser?.close()
})

describe('examples/browser/index.html', () => {
  it('runs hallpass from dist/ in the page through its import map', async () => {
    const page = await browser.newPage()
    const served: string[] = []
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url())
      const path = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '')
      if (url.origin !== ORIGIN || path.startsWith('..') || !/^(examples\/browser|dist)\//.test(path)) return route.abort()
      served.push(path)
      try {
        await route.fulfill({ body: await readFile(join(ROOT, path)), contentType: TYPES[extname(path)] ?? 'application/octet-stream' })
      } catch {
        await route.fulfill({ status: 404, body: 'not found' })
      }
    })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${ORIGIN}/examples/browser/index.html`)
    await page.waitForFunction(() => document.getElementById('out')!.textContent!.includes('reuse'), undefined, { timeout: 10_000 })
    const result = JSON.parse(await page.locator('#out').innerText())
    expect(result).toEqual({ sub: 'user123', header: { alg: 'HS256', typ: 'JWT' }, expires_in: 300, rotated: true, reuse: 'refresh_token_reused' })
    expect(served).toContain('dist/index.js')
    expect(errors).toEqual([])
    await page.close()
  })
})
