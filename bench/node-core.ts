// hallpass against its peers in Node, one process, one run: µs per verify and per sign, for HS256
// and for ES256, EdDSA (Ed25519) and RS256 (2048-bit).
import { createHmac, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import { createVerifier, createSigner, type Algorithm as FastJwtAlgorithm } from 'fast-jwt'
import * as jose from 'jose'
import jsonwebtoken from 'jsonwebtoken'
import { sign as honoSign, verify as honoVerify } from 'hono/jwt'
import tsndr from '@tsndr/cloudflare-worker-jwt'
import { measure } from 'mitata'
import { createHallpass } from '../src/internal.ts'
import { generateJwk } from '../src/keys/generate.ts'
import { nodeCrypto } from '../src/node/crypto.ts'
import { ASYMMETRIC, makeSignedTokens, makeTokens, nodeSignParams, SECRET, type AsymmetricAlg } from './tokens.ts'

export interface Row {
  /** The JWS algorithm of the tokens (HS256, ES256, EdDSA, RS256). */
  alg: string
  group: string
  name: string
  /** Mean nanoseconds per operation. */
  ns: number
}

export interface NodeCoreOptions {
  /** Fewer iterations and tokens, for development: numbers not for the record. */
  quick?: boolean
}

type Case = [group: string, name: string, run: () => unknown]

const claims = { sub: 'user1', email: 'user1@example.com', roles: ['user'] }
const now = () => Math.floor(Date.now() / 1000)

/** A cycling reader over `tokens` (a power of two long). */
function cycle(tokens: string[]): () => string {
  let i = 0
  const mask = tokens.length - 1
  return () => tokens[i++ & mask]!
}

/** HS256 tokens whose claims carry `bytes` of padding: where decoding the payload is most of the work. */
function paddedTokens(count: number, bytes: number): string[] {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
  const iat = now()
  return Array.from({ length: count }, (_, i) => {
    const input = `${header}.${Buffer.from(JSON.stringify({ sub: `user${i}`, iat, exp: iat + 3600, jti: `jti-${i}`, data: 'x'.repeat(bytes) })).toString('base64url')}`
    return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
  })
}

/** Verify at 1 KiB and 8 KiB of claims: hallpass (node:crypto) and fast-jwt uncached. */
async function sizedCases(distinct: number, hpNode: Awaited<ReturnType<typeof createHallpass>>, fastVerify: (token: string) => unknown): Promise<Case[]> {
  const cases: Case[] = []
  for (const kib of [1, 8]) {
    const next = cycle(paddedTokens(Math.min(distinct, 1024), kib * 1024))
    cases.push([`verify, ${kib} KiB of claims`, 'hallpass (node:crypto HMAC)', () => hpNode.verify(next())])
    cases.push([`verify, ${kib} KiB of claims`, 'fast-jwt', () => fastVerify(next())])
  }
  return cases
}

async function hs256Cases(distinct: number): Promise<Case[]> {
  const tokens = makeTokens(distinct)
  const one = tokens[0]!
  const next = cycle(tokens)
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
  return [
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
    ...(await sizedCases(distinct, hpNode, fastVerify)),
    ['sign', 'hallpass issue (node:crypto; access + refresh)', () => hpNode.issue(claims)],
    ['sign', 'fast-jwt', () => fastSign(claims)],
    ['sign', 'jsonwebtoken', () => jsonwebtoken.sign(claims, SECRET, { algorithm: 'HS256', expiresIn: 900 })],
    ['sign', 'jose (CryptoKey)', () => new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('15m').sign(cryptoKey)],
    ['sign', 'hono/jwt', () => honoSign({ ...claims, exp: now() + 900 }, SECRET, 'HS256')],
  ]
}

/** WebCrypto's import and sign/verify parameters for one asymmetric JWS algorithm. */
function subtleParams(alg: AsymmetricAlg): { importParams: Parameters<SubtleCrypto['importKey']>[2]; signParams: Parameters<SubtleCrypto['sign']>[0] } {
  if (alg === 'ES256') return { importParams: { name: 'ECDSA', namedCurve: 'P-256' }, signParams: { name: 'ECDSA', hash: 'SHA-256' } }
  if (alg === 'RS256') return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, signParams: 'RSASSA-PKCS1-v1_5' }
  return { importParams: { name: 'Ed25519' }, signParams: 'Ed25519' }
}

/**
 * One asymmetric algorithm: a key from hallpass's own generateJwk, tokens signed with node:crypto,
 * and each library given that key in the form it takes best: hallpass a JWK Set (`keys`), fast-jwt
 * PEM (which it turns into a KeyObject once), jose and hono/jwt a CryptoKey (imported once).
 */
async function asymmetricCases(alg: AsymmetricAlg, distinct: number): Promise<Case[]> {
  const jwk = await generateJwk(alg)
  const privateKey = createPrivateKey({ key: jwk as unknown as import('node:crypto').JsonWebKey, format: 'jwk' })
  const publicKey = createPublicKey(privateKey)
  const publicJwk = { ...(publicKey.export({ format: 'jwk' }) as JsonWebKey), kid: jwk.kid, alg }
  const tokens = makeSignedTokens(distinct, alg, privateKey, jwk.kid)
  const next = cycle(tokens)
  const one = tokens[0]!

  // Refresh tokens are HS256 under a key of their own; only `issue` uses it.
  const keys = { keys: [jwk] }
  const hpNode = await createHallpass({ keys, refreshSecret: SECRET, crypto: nodeCrypto })
  const hpWeb = await createHallpass({ keys, refreshSecret: SECRET })
  const fastAlg = alg as FastJwtAlgorithm
  const fastVerify = createVerifier({ key: publicKey.export({ type: 'spki', format: 'pem' }) as string, algorithms: [fastAlg], cache: false })
  const fastSign = createSigner({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, algorithm: fastAlg, kid: jwk.kid, expiresIn: 900_000 })
  const josePublic = await jose.importJWK(publicJwk, alg)
  const josePrivate = await jose.importJWK(jwk, alg)
  const { importParams, signParams } = subtleParams(alg)
  const subtlePublic = await crypto.subtle.importKey('jwk', publicJwk, importParams, false, ['verify'])
  const subtlePrivate = await crypto.subtle.importKey('jwk', jwk, importParams, false, ['sign'])
  const verifyWith = nodeSignParams(alg, publicKey)
  const signWith = nodeSignParams(alg, privateKey)
  const input = one.slice(0, one.lastIndexOf('.'))
  const inputBuffer = Buffer.from(input)
  const signature = Buffer.from(one.slice(one.lastIndexOf('.') + 1), 'base64url')
  return [
    ['verify', 'hallpass (node:crypto)', () => hpNode.verify(next())],
    ['verify', 'hallpass (WebCrypto)', () => hpWeb.verify(next())],
    ['verify', 'fast-jwt (PEM, cache: false)', () => fastVerify(next())],
    ['verify', 'jose (CryptoKey)', () => jose.jwtVerify(next(), josePublic, { algorithms: [alg] })],
    ['verify', 'hono/jwt (CryptoKey)', () => honoVerify(next(), subtlePublic, alg)],
    ['verify', 'limit: node:crypto verify', () => nodeVerify(verifyWith.hash, inputBuffer, verifyWith.options, signature)],
    ['verify', 'limit: crypto.subtle.verify', () => crypto.subtle.verify(signParams, subtlePublic, signature, inputBuffer)],
    ['sign', 'hallpass issue (node:crypto; access + HS256 refresh)', () => hpNode.issue(claims)],
    ['sign', 'fast-jwt (PEM)', () => fastSign(claims)],
    ['sign', 'jose (CryptoKey)', () => new jose.SignJWT(claims).setProtectedHeader({ alg, kid: jwk.kid }).setIssuedAt().setExpirationTime('15m').sign(josePrivate)],
    ['sign', 'hono/jwt (CryptoKey)', () => honoSign({ ...claims, exp: now() + 900 }, subtlePrivate, alg)],
    ['sign', 'limit: node:crypto sign', () => nodeSign(signWith.hash, inputBuffer, signWith.options)],
  ]
}

export async function benchNodeCore(log: (line: string) => void = console.log, options: NodeCoreOptions = {}): Promise<Row[]> {
  const distinct = options.quick ? 1024 : 4096
  const minCpuTime = options.quick ? 50_000_000 : 500_000_000
  const suites: Array<[alg: string, cases: Case[]]> = [['HS256', await hs256Cases(distinct)]]
  for (const alg of ASYMMETRIC) suites.push([alg, await asymmetricCases(alg, distinct)])
  // Every verifier must accept the tokens, or its number means nothing (a limit row must be true).
  for (const [alg, cases] of suites) {
    for (const [group, name, run] of cases) {
      if (!group.startsWith('verify')) continue
      const result = await run()
      if (result === false || result === undefined) throw new Error(`${alg} ${name} did not verify the benchmark token`)
    }
  }
  const rows: Row[] = []
  for (const [alg, cases] of suites) {
    for (const [group, name, run] of cases) {
      const stats = await measure(run, { min_cpu_time: minCpuTime })
      rows.push({ alg, group, name, ns: stats.avg })
      log(`${alg.padEnd(6)} ${group.padEnd(16)} ${name.padEnd(52)} ${(stats.avg / 1000).toFixed(2).padStart(8)} µs`)
    }
  }
  return rows
}

if (import.meta.main) await benchNodeCore(console.log, { quick: process.argv.includes('--quick') })
