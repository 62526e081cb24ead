// PEM public keys as people paste them (`-----BEGIN PUBLIC KEY-----`, an X.509 SubjectPublicKeyInfo:
// RFC 7468 §13, RFC 5280 §4.1.2.7) of an RSA, EC P-256/P-384 or Ed25519 key, turned into the
// public JWK that WebCrypto exports from it. WebCrypto does the real parsing; the few DER bytes
// read here only tell which key type to import it as, and give a clear error otherwise. The JWK
// names no `alg`: that is for the caller to bind (keyAlgorithms). No error text holds key bytes.
import { ConfigError } from '../errors.ts'
import { decode } from '../lib/base64url.ts'

/** Far more than any supported public key (an RSA-8192 SPKI is under 1,500 characters). */
const MAX_PEM_LENGTH = 16_384

type ImportParams = Parameters<SubtleCrypto['importKey']>[2]

/** The SPKI algorithm identifiers (OIDs, as DER content bytes in hex) that WebCrypto imports. */
const KEY_TYPES: Record<string, { name: string; params: (curve: string | undefined) => ImportParams; members: string[] }> = {
  // rsaEncryption (RFC 8017 A.1): the one RSA identifier every runtime imports; imported here only
  // to be exported as a JWK, so the hash named is of no consequence.
  '2a864886f70d010101': { name: 'RSA', params: () => ({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }), members: ['kty', 'n', 'e'] },
  // id-ecPublicKey (RFC 5480 §2.1.1), with the curve as its parameter.
  '2a8648ce3d0201': { name: 'EC', params: (curve) => ({ name: 'ECDSA', namedCurve: curve! }), members: ['kty', 'crv', 'x', 'y'] },
  // id-Ed25519 (RFC 8410 §3).
  '2b6570': { name: 'Ed25519', params: () => ({ name: 'Ed25519' }), members: ['kty', 'crv', 'x'] },
}

const CURVES: Record<string, string> = { '2a8648ce3d030107': 'P-256', '2b81040022': 'P-384' }

/** Identifiers that are recognised only to say why they are refused. */
const REFUSED: Record<string, string> = {
  '2a864886f70d01010a': 'an RSASSA-PSS-restricted RSA key (id-RSASSA-PSS): export it as a plain RSA public key (rsaEncryption)',
  '2b6571': 'an Ed448 key: hallpass verifies Ed25519 only',
  '2b656e': 'an X25519 key, which is for key agreement, not signatures',
  '2b656f': 'an X448 key, which is for key agreement, not signatures',
  '2a8648ce380401': 'a DSA key: hallpass verifies RSA, EC (P-256, P-384) and Ed25519 keys',
}

const REFUSED_CURVES: Record<string, string> = {
  '2b81040023': 'P-521 (ES512)',
  '2b8104000a': 'secp256k1 (ES256K)',
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** One DER element: its tag and where its content starts and ends. */
interface Element {
  tag: number
  start: number
  end: number
}

/** Reads the DER element at `offset`, which must end by `limit`; undefined when it does not fit. */
function element(der: Uint8Array, offset: number, limit: number): Element | undefined {
  if (offset + 2 > limit) return undefined
  const tag = der[offset]!
  let length = der[offset + 1]!
  let start = offset + 2
  if (length & 0x80) {
    const count = length & 0x7f
    // Definite, minimal lengths only (DER), and small: a public key is a few hundred bytes.
    if (count === 0 || count > 3 || start + count > limit || der[start] === 0) return undefined
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + der[start++]!
    if (length < 0x80) return undefined
  }
  return start + length > limit ? undefined : { tag, start, end: start + length }
}

/**
 * The public JWK of a PEM public key: `{kty:"RSA",n,e}`, `{kty:"EC",crv,x,y}` or
 * `{kty:"OKP",crv:"Ed25519",x}`, with no `alg`, `kid`, `key_ops` or `ext`. Throws ConfigError,
 * its text starting with `setting`, on anything else: no or another PEM label (a private key, a
 * certificate, PKCS#1), damaged or truncated base64, a key type or curve hallpass does not verify.
 * It does not judge the key's strength: checkJwk does (an RSA modulus under 2048 bits, say).
 */
export async function pemToJwk(pem: string, setting = 'PEM'): Promise<JsonWebKey> {
  const fail = (problem: string, cause?: unknown): never => {
    throw new ConfigError(`${setting}: ${problem}`, cause === undefined ? undefined : { cause })
  }
  if (typeof pem !== 'string') return fail('expected the text of a PEM public key')
  if (pem.length > MAX_PEM_LENGTH) fail(`too long for a public key (${pem.length} characters)`)
  const text = pem.trim()
  const begin = /^-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(text)
  if (begin === null) fail('expected a line -----BEGIN PUBLIC KEY-----')
  const label = begin![1]!
  if (label !== 'PUBLIC KEY') {
    if (label.endsWith('PRIVATE KEY')) fail(`this is a private key (${label}): paste its public key, -----BEGIN PUBLIC KEY----- (openssl pkey -pubout)`)
    if (label === 'RSA PUBLIC KEY') fail('this is a PKCS#1 RSA PUBLIC KEY: paste it as -----BEGIN PUBLIC KEY----- (openssl rsa -RSAPublicKey_in -pubout)')
    if (label === 'CERTIFICATE') fail('this is a certificate: paste its public key, -----BEGIN PUBLIC KEY----- (openssl x509 -pubkey -noout)')
    fail(`expected -----BEGIN PUBLIC KEY-----, not ${label}`)
  }
  const end = text.indexOf('-----END PUBLIC KEY-----')
  if (end === -1) fail('no -----END PUBLIC KEY----- line: the key is cut short')
  if (text.slice(end + '-----END PUBLIC KEY-----'.length).trim() !== '') fail('text after -----END PUBLIC KEY-----: paste one key only')
  const body = text.slice(begin![0].length, end).replace(/\s+/g, '')
  if (body.length === 0) fail('nothing between the BEGIN and END lines')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) fail('the text between the BEGIN and END lines is not valid base64 (damaged or cut short)')
  let der: Uint8Array<ArrayBuffer>
  try {
    der = decode(body.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'))
  } catch (cause) {
    return fail('the text between the BEGIN and END lines is not valid base64 (damaged or cut short)', cause)
  }
  return spkiToJwk(der, fail)
}

async function spkiToJwk(der: Uint8Array<ArrayBuffer>, fail: (problem: string, cause?: unknown) => never): Promise<JsonWebKey> {
  const incomplete = 'the key is not a complete SubjectPublicKeyInfo (damaged or cut short)'
  // SEQUENCE { SEQUENCE { OBJECT IDENTIFIER, parameters OPTIONAL }, BIT STRING }, and nothing after.
  const spki = element(der, 0, der.length)
  if (spki === undefined || spki.tag !== 0x30 || spki.end !== der.length) return fail(incomplete)
  const algorithm = element(der, spki.start, spki.end)
  if (algorithm === undefined || algorithm.tag !== 0x30) return fail(incomplete)
  const oid = element(der, algorithm.start, algorithm.end)
  if (oid === undefined || oid.tag !== 0x06) return fail(incomplete)
  const params = oid.end < algorithm.end ? element(der, oid.end, algorithm.end) : undefined
  if (oid.end < algorithm.end && (params === undefined || params.end !== algorithm.end)) return fail(incomplete)
  const key = element(der, algorithm.end, spki.end)
  if (key === undefined || key.tag !== 0x03 || key.end !== spki.end) return fail(incomplete)

  const id = hex(der.subarray(oid.start, oid.end))
  const type = KEY_TYPES[id]
  if (type === undefined) return fail(`this is ${REFUSED[id] ?? 'a key type hallpass does not verify: RSA, EC (P-256, P-384) and Ed25519 keys only'}`)
  let curve: string | undefined
  if (type.name === 'EC') {
    const named = params !== undefined && params.tag === 0x06 ? hex(der.subarray(params.start, params.end)) : ''
    curve = CURVES[named]
    if (curve === undefined) return fail(`this EC key is on ${REFUSED_CURVES[named] ?? 'a curve hallpass does not verify'}: ES256 takes P-256 keys, ES384 P-384 keys`)
  }
  let jwk: JsonWebKey
  try {
    const imported = await crypto.subtle.importKey('spki', der, type.params(curve), true, ['verify'])
    jwk = (await crypto.subtle.exportKey('jwk', imported)) as JsonWebKey
  } catch (cause) {
    return fail(`the ${type.name} key cannot be imported: it is not a valid key`, cause)
  }
  // Only the public members: no alg (RS256 or PS256 is not the PEM's to say), key_ops or ext.
  return Object.fromEntries(type.members.map((member) => [member, (jwk as unknown as Record<string, unknown>)[member]])) as unknown as JsonWebKey
}
