// hallpass against its peers in Node, one process, one run: µs per verify and per sign.
import { createHmac } from 'node:crypto'
import { createVerifier, createSigner } from 'fast-jwt'
import * as jose from 'jose'
import jsonwebtoken from 'jsonwebtoken'
import { sign as honoSign, verify as honoVerify } from 'hono/jwt'
import tsndr from '@tsndr/cloudflare-worker-jwt'
import { measure } from 'mitata'
import { createHallpass } from '../src/index.ts'
import { nodeCrypto } from '../src/node/crypto.ts'
import { makeTokens, SECRET } from './tokens.ts'

export interface Row {
  group: string
  name: string
  /** Mean nanoseconds per operation. */
  ns: number
}

const DISTINCT = 4096

export async function benchNodeCore(log: (line: string) => void = console.log): Promise<Row[]> {
  const tokens = makeTokens(DISTINCT)
  const one = tokens[0]!
  const secretBytes = new TextEncoder().encode(SECRET)
  const cryptoKey = await crypto.subtle.importKey('raw', secretBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
  const hpWeb = await createHallpass({ secret: SECRET })
  const hpNode = await createHallpass({ secret: SECRET, crypto: nodeCrypto })
  const hpNodeCached = await createHallpass({ secret: SECRET, crypto: nodeCrypto, verifyCache: 1000 })
  const hpWebCached = await createHallpass({ secret: SECRET, verifyCache: 1000 })
  const fastVerify = createVerifier({ key: SECRET, algorithms: ['HS256'], cache: false })
  const fastVerifyCached = createVerifier({ key: SECRET, algorithms: ['HS256'], cache: true })
  const fastSign = createSigner({ key: SECRET, algorithm: 'HS256', expiresIn: 900_000 })
  const sigInput = one.slice(0, one.lastIndexOf('.'))
  const sigBytes = Buffer.from(one.slice(one.lastIndexOf('.') + 1), 'base64url')
  const inputBytes = new TextEncoder().encode(sigInput)

  let i = 0
  const next = () => tokens[i++ & (DISTINCT - 1)]!
  const claims = { sub: 'user1', email: 'user1@example.com', roles: ['user'] }
  const now = () => Math.floor(Date.now() / 1000)

  const cases: Array<[string, string, () => unknown]> = [
    ['verify', 'hallpass (node:crypto HMAC)', () => hpNode.verify(next())],
    ['verify', 'hallpass (WebCrypto)', () => hpWeb.verify(next())],
    ['verify', 'fast-jwt', () => fastVerify(next())],
    ['verify', 'jsonwebtoken', () => jsonwebtoken.verify(next(), SECRET, { algorithms: ['HS256'] })],
    ['verify', 'jose (CryptoKey)', () => jose.jwtVerify(next(), cryptoKey, { algorithms: ['HS256'] })],
    ['verify', 'hono/jwt', () => honoVerify(next(), SECRET, 'HS256')],
    ['verify', '@tsndr/cloudflare-worker-jwt', () => tsndr.verify(next(), SECRET, { algorithm: 'HS256', throwError: true })],
    ['verify', 'limit: node:crypto HMAC', () => createHmac('sha256', SECRET).update(sigInput).digest()],
    ['verify', 'limit: crypto.subtle.verify', () => crypto.subtle.verify('HMAC', cryptoKey, sigBytes, inputBytes)],
    ['verify (cached)', 'hallpass (node:crypto, cache)', () => hpNodeCached.verify(one)],
    ['verify (cached)', 'hallpass (WebCrypto, cache)', () => hpWebCached.verify(one)],
    ['verify (cached)', 'fast-jwt (cache)', () => fastVerifyCached(one)],
    ['sign', 'hallpass issue (node:crypto; access + refresh)', () => hpNode.issue(claims)],
    ['sign', 'fast-jwt', () => fastSign(claims)],
    ['sign', 'jsonwebtoken', () => jsonwebtoken.sign(claims, SECRET, { algorithm: 'HS256', expiresIn: 900 })],
    ['sign', 'jose (CryptoKey)', () => new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('15m').sign(cryptoKey)],
    ['sign', 'hono/jwt', () => honoSign({ ...claims, exp: now() + 900 }, SECRET, 'HS256')],
  ]
  // Every verifier must accept the tokens, or its number means nothing.
  for (const [group, name, run] of cases) {
    if (group.startsWith('verify') && !name.startsWith('limit')) {
      const result = await run()
      if (result === false || result === undefined) throw new Error(`${name} did not verify the benchmark token`)
    }
  }
  const rows: Row[] = []
  for (const [group, name, run] of cases) {
    const stats = await measure(run, { min_cpu_time: 500_000_000 })
    rows.push({ group, name, ns: stats.avg })
    log(`${group.padEnd(16)} ${name.padEnd(48)} ${(stats.avg / 1000).toFixed(2).padStart(8)} µs`)
  }
  return rows
}

if (import.meta.main) await benchNodeCore()
