// Compact JWS (RFC 7515 §7.1) with HS256 only. Parsing is strict and cheap; the signature is
// checked before anything in the payload is trusted.
import { decodeText, encodeText } from './base64url.ts'
import { TokenError } from './errors.ts'
import { jsonProblem } from './json.ts'
import type { HmacKey } from './keys.ts'

/** Longest token accepted anywhere (PROTOCOL: a token over 16 KiB is malformed_token). */
export const MAX_TOKEN_LENGTH = 16 * 1024

export type JsonObject = Record<string, unknown>

export interface DecodedToken {
  header: JsonObject
  payload: JsonObject
  /** `header.payload`, the bytes the signature covers. */
  signingInput: string
  /** The third segment, still encoded. */
  signature: string
}

/** Decodes one segment into a JSON object nested at most MAX_JSON_DEPTH levels; throws malformed_token otherwise. */
export function parseSegment(segment: string): JsonObject {
  let value: unknown
  try {
    value = JSON.parse(decodeText(segment))
  } catch (cause) {
    throw new TokenError('malformed_token', { cause })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || jsonProblem(value) !== undefined) throw new TokenError('malformed_token')
  return value as JsonObject
}

export interface CompactParts {
  header: string
  payload: string
  /** `header.payload`, what the signature covers. */
  signingInput: string
  signature: string
}

/** Splits a compact token into its three segments: a string of at most MAX_TOKEN_LENGTH, exactly two dots. */
export function splitCompact(token: unknown): CompactParts {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new TokenError('malformed_token')
  const first = token.indexOf('.')
  const second = first < 0 ? -1 : token.indexOf('.', first + 1)
  if (second < 0 || token.indexOf('.', second + 1) >= 0) throw new TokenError('malformed_token')
  return {
    header: token.slice(0, first),
    payload: token.slice(first + 1, second),
    signingInput: token.slice(0, second),
    signature: token.slice(second + 1),
  }
}

/**
 * Splits and decodes a compact token without checking its signature: exactly three segments,
 * strict base64url, UTF-8, header and payload JSON objects, at most MAX_TOKEN_LENGTH characters.
 */
export function decodeCompact(token: unknown): DecodedToken {
  const parts = splitCompact(token)
  return { header: parseSegment(parts.header), payload: parseSegment(parts.payload), signingInput: parts.signingInput, signature: parts.signature }
}

/**
 * The algorithm allow-list: HS256 exactly. `none` in any casing, other HMAC sizes and every
 * asymmetric algorithm are refused before any key is touched. A `crit` header names extensions we
 * do not implement, so RFC 7515 §4.1.11 makes such a token invalid.
 */
export function checkHeader(header: JsonObject): void {
  if (header.alg !== 'HS256') throw new TokenError('unsupported_algorithm')
  if (header.crit !== undefined) throw new TokenError('malformed_token')
}

/** The encoded protected header for a key and token type, computed once per key. */
export function encodeHeader(key: HmacKey, typ: string): string {
  const header: JsonObject = { alg: 'HS256', typ }
  if (key.kid !== undefined) header.kid = key.kid
  return encodeText(JSON.stringify(header))
}

/** Signs `payload` under a header already encoded by `encodeHeader`. */
export async function sign(encodedHeader: string, payload: JsonObject, key: HmacKey): Promise<string> {
  const signingInput = `${encodedHeader}.${encodeText(JSON.stringify(payload))}`
  return `${signingInput}.${await key.hmac.sign(signingInput)}`
}
