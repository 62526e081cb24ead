// The JWKS test server (jwks-server.ts) as any runtime drives it: over HTTP, with fetch. What a
// route answers, and the JWK Set and tokens of a test issuer.
import { generateJwk, type Algorithm, type GeneratedJwk } from '../../src/internal.ts'
import { publicOf, signWith } from './keys.ts'

export interface JwksRoute {
  /** The body (a JWK Set's JSON text, usually). */
  body?: string
  status?: number
  headers?: Record<string, string>
  /** Answer only after this long. */
  delayMs?: number
  /** A redirect's target. */
  location?: string
  /** Send a body of about this many bytes, chunked. */
  hugeBytes?: number
}

export interface JwksControl {
  url(name: string): string
  set(name: string, route: JwksRoute): Promise<void>
  count(name: string): Promise<number>
}

/** A JwksControl over the server at `origin`. */
export function jwksControl(origin: string): JwksControl {
  return {
    url: (name) => `${origin}/jwks/${name}`,
    async set(name, route) {
      await (await fetch(`${origin}/control/${name}`, { method: 'PUT', body: JSON.stringify(route) })).arrayBuffer()
    },
    async count(name) {
      return ((await (await fetch(`${origin}/control/${name}`)).json()) as { count: number }).count
    },
  }
}

/** A JWK Set's JSON text of the public halves of `keys`. */
export function jwksBody(...keys: GeneratedJwk[]): string {
  return JSON.stringify({ keys: keys.map((key) => ({ ...publicOf(key), use: 'sig' })) })
}

/** A test issuer: its name (the route), its `iss`, and a key pair to sign with. */
export async function testIssuer(name: string, alg: Algorithm = 'ES256', kid = `${name}-1`): Promise<{ name: string; iss: string; key: GeneratedJwk }> {
  return { name, iss: `https://${name}.idp.test/`, key: { ...(await generateJwk(alg)), kid } }
}

const nowSeconds = () => Math.floor(Date.now() / 1000)

/** An access token of `key` as an identity provider signs one: RFC 9068 `at+jwt` by default. */
export function idpToken(key: GeneratedJwk, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return signWith(key, { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header }, { iat: nowSeconds(), exp: nowSeconds() + 300, ...claims })
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The origin of the JWKS test server of test/support/jwks-global-setup.ts. */
    jwksOrigin: string
  }
}
