// Differential testing against jose: for generated and mutated tokens, hallpass accepts exactly
// when jose.jwtVerify (same key, algorithms ['HS256'], exp required) accepts. The only
// disagreements allowed are hallpass being stricter in the ways SECURITY.md lists.
import { fc, test } from '@fast-check/vitest'
import * as jose from 'jose'
import { afterAll, describe, expect } from 'vitest'
import { createHallpass, REFRESH_TYP, TokenError } from '../../src/internal.ts'
import { forge, now, SECRET, segment } from '../support/forge.ts'
import { mutation, type Mutation } from '../support/mutations.ts'

const hp = await createHallpass({ secret: SECRET })
const key = new TextEncoder().encode(SECRET)

async function joseAccepts(token: string): Promise<boolean> {
  return jose.jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp'] }).then(() => true, () => false)
}
async function hallpassAccepts(token: string): Promise<boolean> {
  return hp.verify(token).then(() => true, (e: unknown) => (e instanceof TokenError ? false : Promise.reject(e)))
}

/**
 * SECURITY.md, "Deliberate strictness": where jose accepts and hallpass refuses.
 * - signature-encoding: jose decodes the signature leniently (ignores whitespace, padding and
 *   non-canonical trailing bits), so one signature has many spellings; hallpass allows one.
 * - explicit-typing: jose ignores `typ` unless told; hallpass refuses any `typ` but `JWT`, `at+jwt` (or none)
 *   as an access token, and checks the refresh type with the refresh key.
 */
function deliberate(reason: { mutation?: Mutation; typ?: unknown; original?: string; mutated?: string }): string | undefined {
  const m = reason.mutation
  if (m && m.segment === 2 && ['flip-last-char-bits', 'whitespace', 'padding'].includes(m.kind)) return 'signature-encoding'
  // Any other edit of the signature's last character (replace-char, case-flip) that changes only
  // its unused trailing bits: the same bytes, spelled otherwise.
  if (m && m.segment === 2 && reason.original !== undefined && reason.mutated !== undefined && sameSignatureBytes(reason.original, reason.mutated)) return 'signature-encoding'
  if (reason.typ !== undefined && (typeof reason.typ !== 'string' || !['jwt', 'at+jwt', 'application/at+jwt'].includes(reason.typ.toLowerCase()))) return 'explicit-typing'
  return undefined
}

/** Whether two tokens' signatures decode, leniently as jose does, to the same bytes. */
function sameSignatureBytes(a: string, b: string): boolean {
  const bytes = (token: string) => Buffer.from(token.split('.')[2] ?? '', 'base64url')
  return bytes(a).equals(bytes(b))
}

const seconds = fc.oneof(fc.integer({ min: -100_000, max: -10 }), fc.integer({ min: 10, max: 100_000 }))
const future = fc.integer({ min: 10, max: 100_000 })
const past = fc.integer({ min: -100_000, max: -10 })
/** Usually `usual`, sometimes one of the odd values: most tokens are close to valid. */
const mostly = <T>(usual: fc.Arbitrary<T>, ...odd: Array<fc.Arbitrary<T>>) => fc.oneof({ arbitrary: usual, weight: 4 * odd.length }, ...odd)
const header = fc.record({
  alg: mostly(fc.constant('HS256'), fc.constantFrom('HS384', 'HS512', 'none', 'None', 'RS256', 'ES256', 'hs256')),
  typ: mostly(fc.constantFrom(undefined, 'JWT', 'jwt'), fc.constantFrom('at+jwt', REFRESH_TYP, 'JOSE')),
  kid: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  crit: mostly(fc.constant(undefined), fc.constantFrom(['exp'], ['b64'], ['x-custom'])),
})
const payload = fc.record({
  sub: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  exp: mostly(future, past, fc.constantFrom<unknown>('soon', null, undefined)),
  nbf: mostly(fc.constantFrom(undefined), past, future, fc.constant<unknown>('now')),
  iat: mostly(fc.constantFrom(undefined), seconds, fc.constant<unknown>(true)),
})

const HASH = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' } as const

async function sign(h: Record<string, unknown>, p: Record<string, unknown>): Promise<string> {
  const t = now()
  const claims = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === 'number' && k !== 'sub' ? t + v : v]))
  const cleanHeader = Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined))
  const hash = HASH[h.alg as keyof typeof HASH]
  if (hash === undefined) return `${segment(cleanHeader)}.${segment(claims)}.${h.alg === 'none' || h.alg === 'None' ? '' : 'c2lnbmF0dXJl'}`
  return forge(cleanHeader, claims, SECRET, hash)
}

describe('differential: hallpass and jose agree', () => {
  const counts = { tokens: 0, acceptedByBoth: 0, disagreements: 0 }
  afterAll(() => {
    console.log(`differential vs jose: ${counts.tokens} tokens, ${counts.acceptedByBoth} accepted by both, ${counts.disagreements} deliberate disagreements`)
    // Not vacuous: both outcomes occur.
    expect(counts.acceptedByBoth).toBeGreaterThan(20)
    expect(counts.tokens - counts.acceptedByBoth).toBeGreaterThan(20)
  })

  test.prop([header, payload], { numRuns: 600 })('on generated tokens', async (h, p) => {
    const token = await sign(h, p)
    const [ours, theirs] = await Promise.all([hallpassAccepts(token), joseAccepts(token)])
    counts.tokens++
    if (ours && theirs) counts.acceptedByBoth++
    if (ours !== theirs) {
      counts.disagreements++
      expect(ours, `hallpass accepted what jose refused: ${JSON.stringify({ h, p })}`).toBe(false)
      expect(deliberate({ typ: h.typ }), JSON.stringify({ h, p })).toBeDefined()
    }
  })

  test.prop([fc.string({ minLength: 1, maxLength: 10 }), mutation], { numRuns: 600 })('on mutated tokens', async (sub, change) => {
    const { access_token } = await hp.issue({ sub })
    const token = change.apply(access_token)
    const [ours, theirs] = await Promise.all([hallpassAccepts(token), joseAccepts(token)])
    counts.tokens++
    if (ours && theirs) counts.acceptedByBoth++
    if (ours !== theirs) {
      counts.disagreements++
      expect(ours, `hallpass accepted what jose refused: ${change.kind}`).toBe(false)
      expect(deliberate({ mutation: change, original: access_token, mutated: token }), `${change.kind} in segment ${change.segment}`).toBeDefined()
    }
  })
})
