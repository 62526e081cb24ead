import { decodeCompact, type JsonObject } from '../jws/compact.ts'

export interface Inspection {
  header: JsonObject
  payload: JsonObject
  /** Always false: inspecting checks nothing. */
  verified: false
}

/**
 * Decodes a token without verifying anything, for debugging. Throws `malformed_token` when it
 * cannot be decoded. Never use the result to make a decision.
 */
export function inspect(token: unknown): Inspection {
  const { header, payload } = decodeCompact(token)
  return { header, payload, verified: false }
}
