// A trusted issuer's token (HALLPASS_TRUSTED_ISSUERS, keys from its JWKS, in memory: the steady
// state) against a token of the same algorithm under a local key (HALLPASS_KEYS), in Node, through
// `Hallpass.verify` both, with node:crypto and with WebCrypto. Goal: at most 1.1× the local verify.
// Run alone: `node bench/trusted.ts [--quick]`; from run.ts: `benchTrusted(log, { quick })`.
import { measure } from 'mitata'
import { checkJwk, createHallpass, generateJwk, type Algorithm, type CryptoProvider } from '../src/internal.ts'
import { webCrypto } from '../src/keys/crypto.ts'
import { nodeCrypto } from '../src/node/crypto.ts'
import type { Row } from './node-core.ts'

export interface TrustedBenchOptions {
  quick?: boolean
}

const ISSUER = 'https://idp.bench.example/'
const ALGS: Algorithm[] = ['ES256', 'EdDSA', 'RS256']
const REFRESH_SECRET = 'refresh-secret-of-the-trusted-bench-000001'

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

async function signedTokens(jwk: Awaited<ReturnType<typeof generateJwk>>, count: number, iss: string | undefined): Promise<string[]> {
  const checked = checkJwk(jwk, 0, 'bench')
  const ops = await nodeCrypto.importKey(checked, checked.alg)
  const header = segment({ alg: jwk.alg, typ: 'JWT', kid: jwk.kid })
  const now = Math.floor(Date.now() / 1000)
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const input = `${header}.${segment({ ...(iss === undefined ? {} : { iss }), sub: `user${i}`, roles: ['user'], iat: now, exp: now + 3600, jti: `j${i}` })}`
    tokens.push(`${input}.${await ops.sign!(input)}`)
  }
  return tokens
}

function cycle(tokens: string[]): () => string {
  let i = 0
  const mask = tokens.length - 1
  return () => tokens[i++ & mask]!
}

export async function benchTrusted(log: (line: string) => void = console.log, options: TrustedBenchOptions = {}): Promise<Row[]> {
  const distinct = options.quick ? 256 : 1024
  const minCpuTime = options.quick ? 50_000_000 : 500_000_000
  const rows: Row[] = []
  for (const alg of ALGS) {
    const jwk = { ...(await generateJwk(alg)), kid: `bench-${alg}` }
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk
    const jwksBody = JSON.stringify({ keys: [publicJwk] })
    // The JWKS "server": an injected fetch (steady state never calls it; the warm-up does once).
    let fetches = 0
    const fetch = async () => {
      fetches++
      return new Response(jwksBody, { status: 200, headers: { 'Cache-Control': 'max-age=86400' } })
    }
    const [localTokens, trustedTokens] = await Promise.all([signedTokens(jwk, distinct, undefined), signedTokens(jwk, distinct, ISSUER)])
    for (const [provider, crypto] of [['node:crypto', nodeCrypto], ['WebCrypto', webCrypto]] as Array<[string, CryptoProvider]>) {
      const local = await createHallpass({ keys: { keys: [publicJwk] }, refreshSecret: REFRESH_SECRET, crypto })
      const trusted = await createHallpass({ secret: REFRESH_SECRET.replace('refresh', 'access0'), crypto, fetch, trustedIssuers: [{ issuer: ISSUER, jwks_uri: 'https://idp.bench.example/jwks', algorithms: [alg] }] })
      const nextLocal = cycle(localTokens)
      const nextTrusted = cycle(trustedTokens)
      // Both must verify, or the numbers mean nothing; this also warms the trusted key set (one fetch).
      await local.verify(nextLocal())
      await trusted.verify(nextTrusted())
      const cases: Array<[string, () => unknown]> = [
        [`local key (HALLPASS_KEYS, ${provider})`, () => local.verify(nextLocal())],
        [`trusted issuer, steady state (${provider})`, () => trusted.verify(nextTrusted())],
      ]
      const ns: number[] = []
      for (const [name, run] of cases) {
        const stats = await measure(run, { min_cpu_time: minCpuTime })
        ns.push(stats.avg)
        rows.push({ alg, group: 'verify (trusted issuer)', name, ns: stats.avg })
        log(`${alg.padEnd(6)} ${'trusted'.padEnd(8)} ${name.padEnd(48)} ${(stats.avg / 1000).toFixed(2).padStart(8)} µs`)
      }
      const ratio = ns[1]! / ns[0]!
      log(`${alg.padEnd(6)} ${'trusted'.padEnd(8)} ${`ratio trusted / local (${provider})`.padEnd(48)} ${ratio.toFixed(3).padStart(8)} ×  goal ≤ 1.1: ${ratio <= 1.1 ? 'met' : 'NOT met'}`)
    }
    if (fetches !== 2) throw new Error(`expected one JWKS fetch per trusted instance, got ${fetches}`)
  }
  return rows
}

if (import.meta.main) await benchTrusted(console.log, { quick: process.argv.includes('--quick') })
