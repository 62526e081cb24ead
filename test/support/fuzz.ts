// Random and mutated protocol messages, for fuzzing both transports: the stdin node gets them as
// lines, the worker as request bodies. Seeded, so a failure can be replayed. No Node API here.

export const REPLY_TYPES = new Set(['init_ok', 'token_generated', 'token_valid', 'token_invalid', 'token_refreshed', 'token_revoked', 'token_inspected', 'error'])

/** A small seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const utf8 = new TextEncoder()
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

export interface FuzzOptions {
  seed: number
  /** How many cheap messages (random bytes, mutations, odd values). */
  count: number
  /** How many times each heavy message (100 000-deep nesting and the like) is spliced in. */
  heavyEach: number
  /** A valid token of the target, mutated and replayed in every message type. */
  validToken: string
  /** Messages of exactly this many bytes and one more (the line or body limit), each `limitPairs` times. */
  limitBytes?: number
  limitPairs?: number
}

/** Messages without newlines: random bytes, NUL, lone surrogates, deep nesting, huge numbers, mutations. */
export function fuzzMessages({ seed, count, heavyEach, validToken, limitBytes, limitPairs = 0 }: FuzzOptions): Uint8Array[] {
  const random = prng(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const int = (max: number) => Math.floor(random() * max)
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
  const types = ['init', 'generate_access_token', 'verify_token', 'refresh_token', 'revoke_token', 'inspect_token', 'nope', '']
  const valid = () => JSON.stringify({ src: 'c1', dest: 'jwt', body: { type: pick(types), msg_id: int(1e6), token: validToken, refresh_token: validToken, payload: { sub: 'u' + int(100) }, node_id: 'n1' } })
  const mutate = (text: string) => {
    const chars = [...text]
    for (let k = 1 + int(4); k > 0; k--) chars[int(chars.length)] = String.fromCharCode(int(128))
    return chars.join('').replace(/\n/g, ' ')
  }
  const cheap: Array<() => Uint8Array | string> = [
    () => Uint8Array.from({ length: int(200) }, () => { const b = int(256); return b === 10 ? 11 : b }),
    () => `{"type":"verify_token","msg_id":1,"token":"a\u0000b"}\u0000`,
    () => concat(utf8.encode('{"type":"verify_token","msg_id":2,"token":"'), Uint8Array.of(0xed, 0xa0, 0x80), utf8.encode('"}')),
    () => '{"type":"inspect_token","msg_id":3,"token":"\\ud800.\\udfff.x"}',
    () => `{"type":"verify_token","msg_id":${pick(['1e308', '-0', '123456789012345678901234567890', '1e-400', '-1e308'])},"token":"a.b.c"}`,
    () => `{"type":"generate_access_token","msg_id":8,"payload":{"sub":"x","n":1e308,"m":-1e-320}}`,
    () => deep(1 + int(50)),
    valid,
    valid,
    () => mutate(valid()),
    () => mutate(valid()),
    () => JSON.stringify({ type: 'verify_token', msg_id: 9, token: validToken.slice(0, int(validToken.length)) }),
  ]
  const heavy: Array<() => string> = [
    () => deep(100_000),
    () => `{"type":"verify_token","msg_id":4,"token":${deep(50_000)}}`,
    () => `{"type":"generate_access_token","msg_id":5,"payload":{"sub":"x","deep":${deep(20_000)}}}`,
    () => `{"src":${deep(20_000)},"dest":"jwt","body":{"type":"verify_token","msg_id":6,"token":"x"}}`,
    () => `{"type":"generate_access_token","msg_id":7,"payload":{"sub":"x","o":${deepObject(5_000)}}}`,
    () => `{"src":"c1","dest":"jwt","body":{"type":"verify_token","msg_id":${deep(20_000)},"token":"x"}}`,
    () => `{"type":"inspect_token","msg_id":11,"token":"eyJhbGciOiJIUzI1NiJ9.${btoa(`{"a":${deep(6_000)}}`).replace(/=+$/, '')}.x"}`,
    () => `{"type":"verify_token","msg_id":${pick(['9007199254740993', '1e400', '-1e400', '{"a":1}'])},"token":"x"}`,
  ]
  const messages: Uint8Array[] = []
  const add = (made: Uint8Array | string) => messages.splice(int(messages.length + 1), 0, typeof made === 'string' ? utf8.encode(made) : made)
  for (let i = 0; i < count; i++) {
    const made = pick(cheap)()
    messages.push(typeof made === 'string' ? utf8.encode(made) : made)
  }
  for (const make of heavy) for (let i = 0; i < heavyEach; i++) add(make())
  if (limitBytes !== undefined) {
    const padded = (bytes: number) => {
      const head = `{"type":"inspect_token","msg_id":10,"token":"a.b.c","pad":"`
      return head + 'x'.repeat(bytes - head.length - 2) + '"}'
    }
    for (let i = 0; i < limitPairs; i++) {
      add(padded(limitBytes))
      add(padded(limitBytes + 1))
    }
  }
  return messages
}
