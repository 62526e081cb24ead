// lib/compare.ts: the string comparison HMAC verification uses on the stdin node.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { equalInConstantTime } from '../../src/lib/compare.ts'

describe('equalInConstantTime', () => {
  test.prop([fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })])('says what === says, for any two strings', (a, b) => {
    expect(equalInConstantTime(a, b)).toBe(a === b)
    expect(equalInConstantTime(a, a)).toBe(true)
  })
  it('tells apart strings that differ in one code unit anywhere, or in length', () => {
    const mac = 'vhmszWCsb2D7BGPwI7zLq4UnqpdO7G1lA9fMPh5sSSA'
    for (let at = 0; at < mac.length; at++) {
      expect(equalInConstantTime(mac, `${mac.slice(0, at)}${mac[at] === 'A' ? 'B' : 'A'}${mac.slice(at + 1)}`)).toBe(false)
      // A code unit above 255 whose low byte is the original's (what a byte-wise latin1 view would fold).
      expect(equalInConstantTime(mac, `${mac.slice(0, at)}${String.fromCharCode(0x100 + mac.charCodeAt(at))}${mac.slice(at + 1)}`)).toBe(false)
    }
    expect(equalInConstantTime(mac, mac.slice(1))).toBe(false)
    expect(equalInConstantTime('', '')).toBe(true)
  })
})
