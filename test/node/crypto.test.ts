// node:crypto (the stdin node's provider) and WebCrypto (the core's) must agree exactly, for every
// algorithm: each verifies what the other signs, both refuse the same altered signatures, and the
// deterministic algorithms (HMAC, RS256, EdDSA) sign byte for byte alike.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { ALGORITHMS, checkJwk, generateJwk, webCrypto, type Algorithm } from '../../src/internal.ts'
import { nodeCrypto } from '../../src/node/crypto.ts'
import { decodeText, encodeText } from '../../src/lib/base64url.ts'

const ALGS = Object.keys(ALGORITHMS) as Algorithm[]
const DETERMINISTIC = new Set<Algorithm>(['HS256', 'HS384', 'HS512', 'RS256', 'EdDSA'])

const pairs = await Promise.all(
  ALGS.map(async (alg) => {
    const jwk = checkJwk(await generateJwk(alg), 0, 'test')
    return { alg, web: await webCrypto.importKey(jwk, alg), node: await nodeCrypto.importKey(jwk, alg) }
  }),
)

/** One character changed, one removed, one added: still base64url-looking, never the signature. */
const edit = fc.oneof(
  fc.record({ at: fc.nat({ max: 40 }), char: fc.oneof(fc.constantFrom('A', 'Q', 'g', 'w', '-', '_', '+', '/', '=', ' ', 'Ł', '🎟', '\u0000'), fc.string({ minLength: 1, maxLength: 1 })) }),
  fc.constantFrom({ at: -1, char: '' }, { at: -2, char: '=' }, { at: -3, char: 'A' }),
)

describe.each(pairs)('nodeCrypto and WebCrypto, $alg', ({ alg, web, node }) => {
  it('verify each other’s signatures', async () => {
    for (const input of ['', 'a.b', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0', 'ü'.repeat(300)]) {
      const [fromNode, fromWeb] = [await node.sign!(input), await web.sign!(input)]
      expect(await web.verify(input, fromNode)).toBe(true)
      expect(await node.verify(input, fromWeb)).toBe(true)
      if (DETERMINISTIC.has(alg)) expect(fromNode).toBe(fromWeb)
      expect(await node.verify(input + 'x', fromWeb)).toBe(false)
      expect(await web.verify(input + 'x', fromNode)).toBe(false)
    }
  })

  test.prop([fc.string({ maxLength: 80 }), edit], { numRuns: 60 })('refuse the same altered signatures', async (input, { at, char }) => {
    const good = await node.sign!(input)
    const signature = at === -1 ? good.slice(0, -1) : at === -2 ? good + char : at === -3 ? char + good : good.slice(0, at) + char + good.slice(at + 1)
    const [n, w] = [await node.verify(input, signature), await web.verify(input, signature)]
    expect(n).toBe(w)
    if (signature !== good) expect(n).toBe(false)
  })
})

describe("nodeCrypto's segment decoding and claims encoding", () => {
  const core = (text: string) => {
    try {
      return decodeText(text)
    } catch {
      return 'refused'
    }
  }
  const fast = (text: string) => {
    try {
      return nodeCrypto.decodeText!(text)
    } catch {
      return 'refused'
    }
  }
  it('agrees with the core on the edge cases', () => {
    for (const text of ['', 'eyJhIjoxfQ', 'ab=', 'a b', 'ab+c', 'ab/c', 'abd', 'abc', 'a', 'AA', 'AB', 'AAA', 'AAB', 'w4k', 'w4', '\u00e9', ' eyJhIjoxfQ', 'eyJhIjoxfQ\n', '_-_-', '-w']) {
      expect(fast(text), JSON.stringify(text)).toBe(core(text))
    }
  })
  test.prop([fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/), fc.string({ unit: 'binary' }).map((s) => encodeText(s)).map((s) => s + fc.sample(fc.constantFrom('', '=', ' ', 'A', '+'), 1)[0]))], { numRuns: 2000 })(
    'refuses and accepts exactly what the core does, and decodes to the same text',
    (text) => {
      expect(fast(text)).toBe(core(text))
    },
  )
  test.prop([fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.json())], { numRuns: 2000 })(
    'encodes claims to the same base64url as the core, lone surrogates included',
    (text) => {
      expect(nodeCrypto.encodeText!(text)).toBe(encodeText(text))
      expect(nodeCrypto.encodeText!(text + '\ud800')).toBe(encodeText(text + '\ud800'))
    },
  )
})
