// Tokens for benchmarks: distinct HS256 access tokens signed with node:crypto, so that no cache
// can stand in for verifying.
import { createHmac } from 'node:crypto'

export const SECRET = 'bench-secret-bench-secret-bench-secret!!'

export function makeTokens(count: number, iat = Math.floor(Date.now() / 1000)): string[] {
  const exp = iat + 3600
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const claims = { sub: `user${i}`, email: `user${i}@example.com`, roles: ['user'], iat, exp, jti: `jti-${i}` }
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
    tokens.push(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`)
  }
  return tokens
}
