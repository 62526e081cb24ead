import { describe, expect, it } from 'vitest'
import { LineSplitter } from '../../src/node/lines.ts'

function split(chunks: string[], max = 10): { lines: string[]; oversize: number } {
  const lines: string[] = []
  let oversize = 0
  const splitter = new LineSplitter(max, { line: (b) => lines.push(b.toString()), oversize: () => oversize++ })
  for (const chunk of chunks) splitter.push(Buffer.from(chunk))
  splitter.end()
  return { lines, oversize }
}

describe('LineSplitter', () => {
  it('joins lines across chunk boundaries', () => {
    expect(split(['ab', 'c\nde', '\n\nf'])).toEqual({ lines: ['abc', 'de', '', 'f'], oversize: 0 })
  })
  it('accepts a line of exactly the limit', () => {
    expect(split(['0123456789\n'])).toEqual({ lines: ['0123456789'], oversize: 0 })
  })
  it('discards a longer line once, whether it arrives whole or in pieces', () => {
    expect(split(['01234567890\nok\n'])).toEqual({ lines: ['ok'], oversize: 1 })
    expect(split(['012345', '678901', '234', '5\nok'])).toEqual({ lines: ['ok'], oversize: 1 })
  })
  it('hands over ASCII lines of one chunk as text, and every other line as bytes that decode the same', () => {
    const got: Array<string | Buffer> = []
    const splitter = new LineSplitter(64, { line: (line) => got.push(line), oversize: () => undefined })
    splitter.push(Buffer.from('plain\nspans'))
    splitter.push(Buffer.from(' chunks\ncafé\nok\n'))
    splitter.end()
    expect(got.map((line) => typeof line)).toEqual(['string', 'object', 'object', 'object'])
    expect(got.map((line) => line.toString())).toEqual(['plain', 'spans chunks', 'café', 'ok'])
  })
  it('holds ASCII and non-ASCII lines to the same byte limit', () => {
    expect(split(['0123456789\n01234567890\nok\n'])).toEqual({ lines: ['0123456789', 'ok'], oversize: 1 })
    // 'é' is two bytes: nine characters, ten bytes, at the limit; one more is over it.
    expect(split(['éabcdefgh\néabcdefghi\nok\n'])).toEqual({ lines: ['éabcdefgh', 'ok'], oversize: 1 })
  })
})
