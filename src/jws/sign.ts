// Producing compact JWS: a protected header encoded once per key, then one signature per token.
import { encodeText } from '../lib/base64url.ts'
import { isPending, type Maybe } from '../lib/maybe.ts'
import type { JsonObject } from './compact.ts'

/** What signs: the base64url signature of a signing input. */
export interface Signer {
  sign(input: string): Maybe<string>
}

/** The encoded protected header, computed once per key and token type. */
export function encodeHeader(header: JsonObject): string {
  return encodeText(JSON.stringify(header))
}

/**
 * Signs `payload` under a header already encoded by `encodeHeader`; synchronous when the signer
 * is. `encode` is a runtime's faster encoding (CryptoProvider.encodeText).
 */
export function sign(encodedHeader: string, payload: JsonObject, signer: Signer, encode: (text: string) => string = encodeText): Maybe<string> {
  const signingInput = `${encodedHeader}.${encode(JSON.stringify(payload))}`
  const signature = signer.sign(signingInput)
  return isPending(signature) ? signature.then((done) => `${signingInput}.${done}`) : `${signingInput}.${signature}`
}
