// The attack catalogue: tokens that must never verify, with the code each must be refused with.
// Written once, run by the PROTOCOL suite (every transport) and by the core cases (every runtime).
import { accessToken, forge, now, SECRET, segment, tamperSignature, withSegment } from './forge.ts'

export type TokenErrorCode = 'token_expired' | 'invalid_signature' | 'malformed_token' | 'unsupported_algorithm' | 'token_not_yet_valid' | 'invalid_claims' | 'wrong_token_type'

/** How an attack gets a refresh token of the node under test (the one case that needs the node). */
export type RefreshTokenSource = () => Promise<string>

export type Attack = [label: string, makeToken: (refreshToken: RefreshTokenSource) => Promise<string>, code: TokenErrorCode]

const ATTACKER = 'attacker-key-attacker-key-attacker-key'
const t = () => now()

export const ATTACKS: Attack[] = [
  ['an expired token', () => accessToken({ exp: t() - 10 }), 'token_expired'],
  ['a token whose exp is now', () => accessToken({ exp: t() - 1 }), 'token_expired'],
  ['a forged token that is also expired', async () => tamperSignature(await accessToken({ exp: t() - 10 })), 'invalid_signature'],
  ['a token signed with another secret', () => accessToken({}, 'another-secret-another-secret-another-secret'), 'invalid_signature'],
  ['a tampered payload', async () => withSegment(await accessToken(), 1, segment({ sub: 'admin', exp: t() + 600 })), 'invalid_signature'],
  ['an empty signature', async () => withSegment(await accessToken(), 2, ''), 'invalid_signature'],
  ['the placeholder signature', async () => withSegment(await accessToken(), 2, 'signature'), 'invalid_signature'],
  ['alg none, empty signature', async () => `${segment({ alg: 'none', typ: 'JWT' })}.${segment({ sub: 'admin', exp: t() + 600 })}.`, 'unsupported_algorithm'],
  ['alg NoNe, signature kept', async () => withSegment(await accessToken(), 0, segment({ alg: 'NoNe', typ: 'JWT' })), 'unsupported_algorithm'],
  ['alg NONE', async () => withSegment(await accessToken(), 0, segment({ alg: 'NONE' })), 'unsupported_algorithm'],
  ['HS512 with the right key', () => forge({ alg: 'HS512', typ: 'JWT' }, { sub: 'u', exp: t() + 600 }, SECRET, 'SHA-512'), 'unsupported_algorithm'],
  ['HS384 with the right key', () => forge({ alg: 'HS384', typ: 'JWT' }, { sub: 'u', exp: t() + 600 }, SECRET, 'SHA-384'), 'unsupported_algorithm'],
  ...['RS256', 'ES256', 'PS256', 'EdDSA', 'ES512'].map(
    (alg): Attack => [`alg ${alg} with a junk signature`, async () => withSegment(await accessToken(), 0, segment({ alg, typ: 'JWT' })), 'unsupported_algorithm'],
  ),
  ['alg hs256 (wrong case)', async () => withSegment(await accessToken(), 0, segment({ alg: 'hs256' })), 'unsupported_algorithm'],
  ['no alg', async () => withSegment(await accessToken(), 0, segment({ typ: 'JWT' })), 'unsupported_algorithm'],
  ['an embedded jwk header with a forged signature', () => forge({ alg: 'HS256', jwk: { kty: 'oct', k: 'YXR0YWNrZXI' } }, { sub: 'admin', exp: t() + 600 }, ATTACKER), 'invalid_signature'],
  ['a jku header', () => forge({ alg: 'HS256', jku: 'https://attacker.example/jwks' }, { sub: 'admin', exp: t() + 600 }, ATTACKER), 'invalid_signature'],
  ['a kid path traversal', () => forge({ alg: 'HS256', kid: '../../../../dev/null' }, { sub: 'admin', exp: t() + 600 }, ATTACKER), 'invalid_signature'],
  ['an unknown crit header', () => forge({ alg: 'HS256', crit: ['exp-ext'], 'exp-ext': 1 }, { sub: 'u', exp: t() + 600 }), 'malformed_token'],
  ['no exp', () => forge({ alg: 'HS256' }, { sub: 'u' }), 'invalid_claims'],
  ['exp a string', () => forge({ alg: 'HS256' }, { sub: 'u', exp: String(t() + 600) }), 'invalid_claims'],
  ['exp null', () => forge({ alg: 'HS256' }, { sub: 'u', exp: null }), 'invalid_claims'],
  ['nbf in the future', () => accessToken({ nbf: t() + 300 }), 'token_not_yet_valid'],
  ['nbf not a number', () => accessToken({ nbf: 'soon' }), 'invalid_claims'],
  ['an array payload', async () => `${segment({ alg: 'HS256' })}.${segment([{ sub: 'u', exp: t() + 600 }])}.AAAA`, 'malformed_token'],
  ['a null payload', async () => `${segment({ alg: 'HS256' })}.${segment('null')}.AAAA`, 'malformed_token'],
  ['a payload that is not JSON', async () => `${segment({ alg: 'HS256' })}.${segment('not json')}.AAAA`, 'malformed_token'],
  ['two segments', async () => (await accessToken()).split('.').slice(0, 2).join('.'), 'malformed_token'],
  ['four segments', async () => `${await accessToken()}.AAAA`, 'malformed_token'],
  ['an empty string', async () => '', 'malformed_token'],
  ['dots only', async () => '..', 'malformed_token'],
  ['padding in the header', async () => { const tok = await accessToken(); return withSegment(tok, 0, tok.split('.')[0] + '=') }, 'malformed_token'],
  ['standard base64 characters', async () => { const tok = await accessToken(); return withSegment(tok, 1, tok.split('.')[1]!.replace(/.$/, '+')) }, 'malformed_token'],
  ['whitespace inside', async () => (await accessToken()).replace('.', ' .'), 'malformed_token'],
  // PROTOCOL v3: any character outside the base64url alphabet and the two dots, wherever it stands.
  ...(
    [
      ['a trailing space', (tok) => `${tok} `],
      ['a trailing newline', (tok) => `${tok}\n`],
      ['a trailing CRLF', (tok) => `${tok}\r\n`],
      ['a trailing !', (tok) => `${tok}!`],
      ['a trailing NUL', (tok) => `${tok}\u0000`],
      ['padding after the signature', (tok) => `${tok}=`],
      ['a leading space', (tok) => ` ${tok}`],
      ['a leading newline', (tok) => `\n${tok}`],
      ['a tab inside the header', (tok) => withSegment(tok, 0, `${tok.split('.')[0]!.slice(0, 8)}\t${tok.split('.')[0]!.slice(8)}`)],
      ['a space inside the payload', (tok) => withSegment(tok, 1, `${tok.split('.')[1]!.slice(0, 12)} ${tok.split('.')[1]!.slice(12)}`)],
      ['a space inside the signature', (tok) => withSegment(tok, 2, `${tok.split('.')[2]!.slice(0, 10)} ${tok.split('.')[2]!.slice(10)}`)],
      ['a space before the signature', (tok) => withSegment(tok, 2, ` ${tok.split('.')[2]}`)],
      ['a + in the signature', (tok) => withSegment(tok, 2, `+${tok.split('.')[2]!.slice(1)}`)],
      ['a non-ASCII letter in the signature', (tok) => withSegment(tok, 2, `${tok.split('.')[2]!.slice(0, -1)}é`)],
      ['a space in an alg none token', () => `${segment({ alg: 'none', typ: 'JWT' })}.${segment({ sub: 'admin', exp: t() + 600 })}. `],
    ] as Array<[string, (token: string) => string]>
  ).map(([label, alter]): Attack => [label, async () => alter(await accessToken()), 'malformed_token']),
  ['a token over 16 KiB', () => accessToken({ blob: 'x'.repeat(17000) }), 'malformed_token'],
  ['a refresh token', (refreshToken) => refreshToken(), 'wrong_token_type'],
]
