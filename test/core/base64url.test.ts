import { describe, expect, it } from 'vitest'
import { decode, decodeText, encode, encodeText } from '../../src/lib/base64url.ts'

describe('base64url', () => {
  it('round-trips every length and byte value', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff)
      const text = encode(bytes)
      expect(text).toBe(Buffer.from(bytes).toString('base64url'))
      expect(decode(text)).toEqual(bytes)
    }
  })
  it('encodes long inputs, made in several pieces, the same as Buffer', () => {
    for (const length of [3071, 3072, 3073, 12_288, 20_001]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + 7) & 0xff)
      expect(encode(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
    }
  })
  it('round-trips text through UTF-8', () => {
    expect(decodeText(encodeText('{"name":"Zoë 🎟"}'))).toBe('{"name":"Zoë 🎟"}')
  })
  it.each([
    ['padding', 'QQ=='],
    ['standard alphabet +', 'a+b/'],
    ['whitespace', 'QUJD RA'],
    ['a newline', 'QUJD\nRA'],
    ['impossible length', 'QUJDR'],
    ['non-canonical trailing bits (2 chars)', 'QR'],
    ['non-canonical trailing bits (3 chars)', 'QUF'],
    ['non-ASCII', 'QUJé'],
  ])('refuses %s', (_label, text) => {
    expect(() => decode(text)).toThrow(TypeError)
  })
  it('refuses invalid UTF-8 when decoding text', () => {
    expect(() => decodeText(encode(Uint8Array.of(0xc3, 0x28)))).toThrow(TypeError)
  })
})
