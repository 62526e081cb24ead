// Ways to change a valid compact token, as fast-check arbitraries. Every mutation yields a string
// that differs from the original; none of them may ever verify.
import { fc } from '@fast-check/vitest'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

export type MutationKind =
  | 'replace-char'
  | 'flip-last-char-bits'
  | 'padding'
  | 'whitespace'
  | 'swap-segments'
  | 'drop-segment'
  | 'extra-segment'
  | 'case-flip'
  | 'truncate'
  | 'standard-base64'

export interface Mutation {
  kind: MutationKind
  segment: number
  apply(token: string): string
}

const segment = fc.integer({ min: 0, max: 2 })

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ segment, at: fc.nat(), to: fc.nat({ max: 63 }) }).map(({ segment: s, at, to }) => ({
    kind: 'replace-char' as const,
    segment: s,
    apply: (token: string) => editSegment(token, s, (part) => {
      if (part.length === 0) return ALPHABET[to]!
      const i = at % part.length
      const next = ALPHABET[to] === part[i] ? ALPHABET[(to + 1) % 64]! : ALPHABET[to]!
      return part.slice(0, i) + next + part.slice(i + 1)
    }),
  })),
  fc.record({ segment, bit: fc.integer({ min: 0, max: 3 }) }).map(({ segment: s, bit }) => ({
    kind: 'flip-last-char-bits' as const,
    segment: s,
    // Changes only the low bits of the last character: for most lengths these are unused
    // trailing bits, so the decoded bytes stay the same (a non-canonical encoding).
    apply: (token: string) => editSegment(token, s, (part) => {
      if (part.length === 0) return 'A'
      const last = ALPHABET.indexOf(part[part.length - 1]!)
      return part.slice(0, -1) + ALPHABET[last ^ (1 << bit)]!
    }),
  })),
  fc.record({ segment, pad: fc.constantFrom('=', '==', '===') }).map(({ segment: s, pad }) => ({
    kind: 'padding' as const,
    segment: s,
    apply: (token: string) => editSegment(token, s, (part) => part + pad),
  })),
  fc.record({ segment, at: fc.nat(), ws: fc.constantFrom(' ', '\n', '\t', '\r\n', '\u00a0') }).map(({ segment: s, at, ws }) => ({
    kind: 'whitespace' as const,
    segment: s,
    apply: (token: string) => editSegment(token, s, (part) => {
      const i = part.length === 0 ? 0 : at % (part.length + 1)
      return part.slice(0, i) + ws + part.slice(i)
    }),
  })),
  fc.constantFrom<[number, number]>([0, 1], [0, 2], [1, 2]).map(([a, b]) => ({
    kind: 'swap-segments' as const,
    segment: a,
    apply: (token: string) => {
      const parts = token.split('.')
      ;[parts[a], parts[b]] = [parts[b]!, parts[a]!]
      return parts.join('.')
    },
  })),
  segment.map((s) => ({
    kind: 'drop-segment' as const,
    segment: s,
    apply: (token: string) => token.split('.').filter((_, i) => i !== s).join('.'),
  })),
  fc.constantFrom('', 'AAAA', 'e30').map((extra) => ({
    kind: 'extra-segment' as const,
    segment: 2,
    apply: (token: string) => `${token}.${extra}`,
  })),
  fc.record({ segment, at: fc.nat() }).map(({ segment: s, at }) => ({
    kind: 'case-flip' as const,
    segment: s,
    apply: (token: string) => editSegment(token, s, (part) => {
      const letters = [...part].map((c, i) => [c, i] as const).filter(([c]) => c.toLowerCase() !== c.toUpperCase())
      if (letters.length === 0) return part + 'A'
      const [c, i] = letters[at % letters.length]!
      const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()
      return part.slice(0, i) + flipped + part.slice(i + 1)
    }),
  })),
  fc.record({ segment, keep: fc.nat() }).map(({ segment: s, keep }) => ({
    kind: 'truncate' as const,
    segment: s,
    apply: (token: string) => editSegment(token, s, (part) => part.slice(0, part.length === 0 ? 0 : keep % part.length)),
  })),
  segment.map((s) => ({
    kind: 'standard-base64' as const,
    segment: s,
    apply: (token: string) => editSegment(token, s, (part) => (/[-_]/.test(part) ? part.replace(/-/g, '+').replace(/_/g, '/') : part + '+')),
  })),
)

function editSegment(token: string, index: number, edit: (part: string) => string): string {
  const parts = token.split('.')
  parts[index] = edit(parts[index]!)
  return parts.join('.')
}
