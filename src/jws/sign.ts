// Producing compact JWS: a protected header encoded once per key, then one signature per token.
import { encodeText } from '../lib/base64url.ts'
import type { JsonObject } from './compact.ts'

/** What signs: the base64url signature of a signing input. */
export interface Signer {
  sign(input: string): Promise<string> | string
}

/** The encoded protected header, computed once per key and token type. */
export function encodeHeader(header: JsonObject): string {
  return encodeText(JSON.stringify(header))
}

/** Signs `payload` under a header already encoded by `encodeHeader`. */
export async function sign(encodedHeader: string, payload: JsonObject, signer: Signer): Promise<string> {
  const signingInput = `${encodedHeader}.${encodeText(JSON.stringify(payload))}`
  return `${signingInput}.${await signer.sign(signingInput)}`
}
