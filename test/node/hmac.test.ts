// node:crypto HMAC (the stdin node's) and WebCrypto HMAC (the core's default) must agree exactly.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { webCryptoHmac } from '../../src/index.ts'
import { nodeHmac } from '../../src/node/hmac.ts'
import { SECRET } from '../support/forge.ts'

const secret = new TextEncoder().encode(SECRET)
const web = await webCryptoHmac(secret)
const node = await nodeHmac(secret)

describe('nodeHmac', () => {
  test.prop([fc.string({ maxLength: 300 })], { numRuns: 300 })('signs exactly as WebCrypto does', async (input) => {
    expect(await node.sign(input)).toBe(await web.sign(input))
  })

  const edit = fc.oneof(
    fc.record({ at: fc.nat({ max: 42 }), char: fc.oneof(fc.constantFrom('A', 'Q', 'g', 'w', '-', '_', '+', '/', '=', ' ', 'Ł', 'Ä', '\u0141', '🎟', '\u0000'), fc.string({ minLength: 1, maxLength: 1 })) }),
    fc.constantFrom({ at: -1, char: '' }, { at: -2, char: '=' }),
  )
  test.prop([fc.string({ maxLength: 100 }), edit], { numRuns: 500 })('accepts and refuses the same signatures as WebCrypto', async (input, { at, char }) => {
    const good = await web.sign(input)
    const signature = at === -1 ? good : at === -2 ? good + char : good.slice(0, at) + char + good.slice(at + 1)
    const [n, w] = [await node.verify(input, signature), await web.verify(input, signature)]
    expect(n).toBe(w)
    expect(n).toBe(signature === good)
  })
})
