// The inspector end to end in real headless Chromium (Playwright driving /usr/bin/chromium): the
// page served by `npm run inspector`'s server, a token pasted, its fields read back, verified with
// the right and a wrong secret, an expired and an unsigned token flagged. Every request the page
// makes is recorded: only the page's own files may be fetched. Saves docs/inspector.png.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startInspectorServer, type InspectorServer } from '../../inspector/serve.ts'
import { createHallpass } from '../../src/index.ts'
import { forge, segment, SECRET } from '../support/forge.ts'
import { CHROMIUM } from '../runtimes/chromium-launch.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SCREENSHOT = join(ROOT, 'docs', 'inspector.png')

let server: InspectorServer
let browser: Browser
let page: Page
const requests: string[] = []
const consoleErrors: string[] = []

beforeAll(async () => {
  server = await startInspectorServer(0)
  browser = await chromium.launch({ ...CHROMIUM, headless: true })
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' })
  page = await context.newPage()
  page.setDefaultTimeout(5000)
  page.on('request', (request) => requests.push(request.url()))
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()))
  page.on('pageerror', (error) => consoleErrors.push(error.message))
  await page.goto(server.url)
  await page.waitForSelector('html[data-ready="true"]')
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function paste(token: string, secret = ''): Promise<void> {
  await page.fill('#secret', secret)
  await page.fill('#token', token)
}
const text = (selector: string) => page.locator(selector).innerText()
const verdict = async () => {
  await page.waitForFunction(() => document.getElementById('verdict')!.textContent !== '')
  return text('#verdict')
}

describe('the inspector in headless Chromium', () => {
  it('decodes a pasted token: header, payload, times in local time with a countdown', async () => {
    const hp = await createHallpass({ secret: SECRET, issuer: 'https://auth.example' })
    const { access_token } = await hp.issue({ sub: 'user123', email: 'user@example.com', roles: ['user', 'admin'] })
    await paste(access_token)
    expect(JSON.parse(await text('#header'))).toEqual({ alg: 'HS256', typ: 'JWT' })
    const payload = JSON.parse(await text('#payload'))
    expect(payload).toMatchObject({ sub: 'user123', email: 'user@example.com', roles: ['user', 'admin'], iss: 'https://auth.example' })
    const exp = page.locator('#times tr[data-claim="exp"] td')
    expect(await exp.nth(1).innerText()).toBe(new Date(payload.exp * 1000).toLocaleString('en-US', { timeZone: 'UTC' }))
    const before = await exp.nth(2).innerText()
    expect(before).toMatch(/^expires in 1[45]m \d\ds$/)
    await page.waitForFunction((old) => document.querySelector('#times tr[data-claim="exp"] td:nth-child(3)')!.textContent !== old, before, { timeout: 3000 })
    expect(await text('#status')).toMatch(/^valid for 1[45]m/)
    expect(await text('#warnings')).toBe('No warnings.')
  })

  it('verifies with the right secret and refuses a wrong one', async () => {
    const { access_token } = await (await createHallpass({ secret: SECRET })).issue({ sub: 'user123' })
    await paste(access_token, SECRET)
    expect(await verdict()).toBe('✔ Signature verified: the token is valid now.')
    await page.fill('#secret', 'another-secret-another-secret-another-secret')
    await page.click('#verify')
    await page.waitForFunction(() => document.getElementById('verdict')!.textContent!.includes('Invalid signature'))
    expect(await text('#verdict')).toMatch(/^✘ Invalid signature/)
    await page.fill('#secret', 'short')
    await page.waitForFunction(() => document.getElementById('verdict')!.textContent!.startsWith('Secret refused'))
  })

  it('flags an expired token, and says its signature is good', async () => {
    const now = Math.floor(Date.now() / 1000)
    await paste(await forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'user123', iat: now - 7200, exp: now - 3600 }), SECRET)
    expect(await text('#status')).toMatch(/^expired 1h 00m ago$/)
    expect(await page.locator('#times tr[data-claim="exp"] td').nth(2).innerText()).toBe('expired 1h 00m ago')
    expect(await verdict()).toBe('✔ Signature verified, but the token is refused: Token expired (token_expired).')
  })

  it('warns about alg none, a missing exp, a long lifetime and sensitive claims', async () => {
    await paste(`${segment({ alg: 'none', typ: 'JWT' })}.${segment({ sub: 'admin', password: 'hunter2', card: { number: '4111' } })}.`)
    const none = await page.locator('#warnings li').allInnerTexts()
    expect(none.some((w) => w.startsWith('alg is "none"'))).toBe(true)
    expect(none.some((w) => w.startsWith('No exp claim'))).toBe(true)
    expect(none.some((w) => w.includes('"password"'))).toBe(true)
    expect(none.some((w) => w.includes('"card"'))).toBe(true)
    expect(await text('#status')).toBe('no expiry')
    await page.fill('#secret', SECRET)
    expect(await verdict()).toBe('✘ Unsupported algorithm: hallpass verifies HS256 only.')
    const now = Math.floor(Date.now() / 1000)
    await paste(await forge({ alg: 'HS256' }, { sub: 'u', ssn: '078-05-1120', iat: now, exp: now + 30 * 86400 }), SECRET)
    const long = await page.locator('#warnings li').allInnerTexts()
    expect(long.some((w) => w.startsWith('Long lifetime: 30d'))).toBe(true)
    expect(long.some((w) => w.includes('"ssn"'))).toBe(true)
    expect(await verdict()).toBe('✔ Signature verified: the token is valid now.')
  })

  it('says what is wrong with something that is not a token, as text', async () => {
    await paste('<img src=x onerror=alert(1)>.not.a-token')
    expect(await page.locator('#error').innerText()).toMatch(/^Malformed token/)
    expect(await page.locator('#decoded').isHidden()).toBe(true)
    const script = `${segment({ alg: 'HS256', typ: '<script>alert(1)</script>' })}.${segment({ sub: '<img src=x onerror=alert(1)>', exp: 1 })}.AAAA`
    await paste(script)
    expect(JSON.parse(await text('#payload')).sub).toBe('<img src=x onerror=alert(1)>')
    expect(await page.locator('#payload img, #header script').count()).toBe(0)
  })

  it('makes no request but its own files, and logs no error', async () => {
    const origin = new URL(server.url).origin
    expect(requests.length).toBeGreaterThan(0)
    expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([])
    expect(new Set(requests.map((url) => new URL(url).pathname))).toEqual(new Set(['/', '/style.css', '/inspector.js', '/hallpass.js']))
    expect(consoleErrors).toEqual([])
  })

  it('fills in a working example token with its secret', async () => {
    await page.click('#example')
    await page.waitForFunction(() => document.getElementById('verdict')!.textContent!.startsWith('✔'))
    expect(JSON.parse(await text('#payload'))).toMatchObject({ sub: 'user123', iss: 'https://auth.example' })
  })

  it('saves a screenshot (docs/inspector.png), the same on every run: frozen clock, fixed token', async () => {
    const frozen = Date.UTC(2026, 0, 15, 9, 30) / 1000
    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' })
    const shot = await context.newPage()
    await shot.clock.setFixedTime(frozen * 1000)
    await shot.goto(server.url)
    await shot.waitForSelector('html[data-ready="true"]')
    const token = await forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'user123', email: 'user@example.com', roles: ['user', 'admin'], iss: 'https://auth.example', iat: frozen - 120, exp: frozen + 30 * 86400, jti: 'Qm9vdHN0cmFwLTIwMjY' })
    await shot.fill('#token', token)
    await shot.fill('#secret', SECRET)
    await shot.waitForFunction(() => document.getElementById('verdict')!.textContent!.startsWith('✔'))
    expect(await shot.locator('#warnings li').allInnerTexts()).toEqual([expect.stringMatching(/^Long lifetime: 30d 00h/)])
    mkdirSync(join(ROOT, 'docs'), { recursive: true })
    await shot.screenshot({ path: SCREENSHOT, fullPage: true })
    await context.close()
  })
})
