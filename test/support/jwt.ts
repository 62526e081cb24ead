// Reads a compact JWT's header or claims the plain way (atob and TextDecoder, not the core's strict
// decoder, so a check of what the core wrote never goes through the core). Standard globals only:
// the same helper runs in Node and inside workerd.

/** The JSON of segment `index` (0 header, 1 payload) of a compact token. */
export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  const text = token.split('.')[index]!.replace(/-/g, '+').replace(/_/g, '/')
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)))) as Record<string, unknown>
}

/** A compact token's header. */
export const headerOf = (token: string): Record<string, unknown> => decodePart(token, 0)

/** A compact token's claims. */
export const claimsOf = (token: string): Record<string, unknown> => decodePart(token, 1)
