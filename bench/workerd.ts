// hallpass against its peers inside the Workers runtime (workerd): µs per verify and per sign, for
// HS256, ES256, EdDSA and RS256, the same comparison as bench/node-core.ts. fast-jwt and
// jsonwebtoken are Node-only and left out.
//
// workerd's clocks do not advance during pure compute (a Spectre mitigation: Date.now and
// performance.now move only on I/O), so the worker cannot time itself. bench/workerd/bench-worker.ts
// runs N operations per request, one after another on distinct tokens; this side times requests
// with n=N and n=0 from outside and takes (median(n=N) - median(n=0)) / N, the request overhead
// subtracted. Runs under wrangler's startWorker (local workerd) on 127.0.0.1.
import { fileURLToPath } from 'node:url'
import { freePort } from '../test/support/wrangler-dev.ts'
import { SECRET } from './tokens.ts'

export interface Row {
  /** The JWS algorithm of the tokens (HS256, ES256, EdDSA, RS256). */
  alg: string
  group: string
  name: string
  /** Mean nanoseconds per operation: (median(n=N) - median(n=0)) / N over the rounds. */
  ns: number
  /** The same, round by round: each round's n=N request less its own n=0 one, over N. */
  perRound: number[]
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CONFIG = fileURLToPath(new URL('./workerd/bench-worker.wrangler.toml', import.meta.url))

export interface WorkerdOptions {
  /** Fewer rounds and fewer tokens, for development: numbers not for the record. */
  quick?: boolean
}

/** Wall time one timed request should take (ms): long against the request overhead, short in total. */
const TARGET_MS = 80
/**
 * Bounds of N, the operations per timed request. The floor is low for the slow cases (an RS256
 * sign is about a millisecond); the fast ones get thousands from TARGET_MS.
 */
const MIN_N = 20
const MAX_N = 200_000
/**
 * Pairs of timed requests (n=0 and n=N) per case. A row takes the median of each side; a goal's
 * ratio is taken round by round, between cases timed next to each other, then the median.
 */
const ROUNDS = 15
const QUICK_ROUNDS = 3
/** Distinct tokens per algorithm in the worker (a power of two). */
const DISTINCT = 4096
const QUICK_DISTINCT = 1024
/** No request may take longer than this (ms). */
const REQUEST_TIMEOUT_MS = 30_000
/** The whole benchmark gives up after this (ms). */
const DEADLINE_MS = 300_000

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

interface CaseInfo {
  id: string
  alg: string
  group: string
  name: string
}

export async function benchWorkerd(log: (line: string) => void = console.log, options: WorkerdOptions = {}): Promise<Row[]> {
  const rounds = options.quick ? QUICK_ROUNDS : ROUNDS
  process.env.WRANGLER_SEND_METRICS = 'false'
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'
  process.env.WRANGLER_LOG ??= 'warn'
  const { unstable_startWorker } = await import('wrangler')
  const deadline = performance.now() + DEADLINE_MS
  const port = await freePort()
  const worker = await unstable_startWorker({
    config: CONFIG,
    bindings: { BENCH_SECRET: { type: 'plain_text', value: SECRET }, BENCH_DISTINCT: { type: 'plain_text', value: String(options.quick ? QUICK_DISTINCT : DISTINCT) } },
    dev: { server: { hostname: '127.0.0.1', port }, inspector: false, watch: false, liveReload: false },
  })
  try {
    let timer: NodeJS.Timeout | undefined
    const startup = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('benchWorkerd: the bench worker did not start within 60 s')), 60_000)))
    const base = await Promise.race([worker.ready.then(() => worker.url), startup]).finally(() => clearTimeout(timer))

    const get = async (path: string): Promise<unknown> => {
      if (performance.now() > deadline) throw new Error(`benchWorkerd: over its ${DEADLINE_MS / 1000} s deadline`)
      const response = await fetch(new URL(path, base), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
      const body: unknown = await response.json()
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body)}`)
      return body
    }
    const time = async (id: string, n: number): Promise<number> => {
      const started = performance.now()
      await get(`/run?case=${id}&n=${n}`)
      return performance.now() - started
    }

    // The first request makes the keys and tokens and checks that every verifier accepts them.
    const cases = (await get('/cases')) as CaseInfo[]
    // Warm up each case (JIT, key caches), then pick its N so that a timed request takes about TARGET_MS.
    const plan: Array<CaseInfo & { n: number; empty: number[]; full: number[] }> = []
    for (const info of cases) {
      // Minima: a noisy spell only ever makes a request slower.
      const overhead = Math.min(await time(info.id, 0), await time(info.id, 0), await time(info.id, 0))
      // Grow the probe until its work stands well above the jitter of the request overhead (a few
      // ms on a shared machine): cheap cases and millisecond ones alike.
      let probeN = 10
      let probeMs = 0
      for (;;) {
        probeMs = (await time(info.id, probeN)) - overhead
        if (probeMs >= TARGET_MS / 4 || probeN >= MAX_N) break
        probeN = Math.min(MAX_N, probeN * 8)
      }
      probeMs = Math.max(Math.min(probeMs, (await time(info.id, probeN)) - overhead), 0.01)
      // The first probes ran cold (and may have stopped early on a slow spell): re-time at the N
      // they suggest until a request does about TARGET_MS of work.
      let n = probeN
      for (let refine = 0; refine < 3; refine++) {
        const next = Math.min(MAX_N, Math.max(MIN_N, Math.round((TARGET_MS / probeMs) * n)))
        if (next === n) break
        n = next
        probeMs = Math.max(Math.min(await time(info.id, n), await time(info.id, n)) - overhead, 0.01)
        if (probeMs > TARGET_MS * 0.6 && probeMs < TARGET_MS * 1.6) break
      }
      plan.push({ ...info, n, empty: [], full: [] })
    }
    // Rounds over all cases, so that a noisy spell on a shared machine hits every case alike. The
    // worker lists each goal's cases next to each other, and every other round runs the list
    // backwards, so that neither of a pair always runs first.
    for (let round = 0; round < rounds; round++) {
      for (const entry of round % 2 === 0 ? plan : [...plan].reverse()) {
        // Alternate the order, so that neither side always runs right after the other.
        const sides: Array<[number[], number]> = [[entry.empty, 0], [entry.full, entry.n]]
        if (round % 2 === 1) sides.reverse()
        for (const [into, n] of sides) into.push(await time(entry.id, n))
      }
    }
    const rows: Row[] = []
    for (const { alg, group, name, n, empty, full } of plan) {
      const ns = (Math.max(median(full) - median(empty), 0) * 1e6) / n
      const perRound = full.map((ms, round) => (Math.max(ms - empty[round]!, 0) * 1e6) / n)
      rows.push({ alg, group, name, ns, perRound })
      log(`${alg.padEnd(6)} ${group.padEnd(16)} ${name.padEnd(52)} ${(ns / 1000).toFixed(2).padStart(8)} µs   (n=${n}, request overhead ${median(empty).toFixed(1)} ms)`)
    }
    return rows
  } finally {
    await worker.dispose()
  }
}

/**
 * The time of verify case `numerator` over verify case `denominator` (names by prefix), round by
 * round, then the median: the two were timed a fraction of a second apart in every round, while
 * this machine's speed moves by a quarter within seconds. Undefined when either is missing.
 */
export function pairedRatio(rows: readonly Row[], alg: string, numerator: string, denominator: string): number | undefined {
  const row = (name: string) => rows.find((r) => r.alg === alg && r.group === 'verify' && r.name.startsWith(name))
  const top = row(numerator)
  const bottom = row(denominator)
  if (top === undefined || bottom === undefined) return undefined
  const ratios = top.perRound.flatMap((ns, round) => (bottom.perRound[round]! > 0 ? [ns / bottom.perRound[round]!] : []))
  return ratios.length === 0 ? undefined : median(ratios)
}

/** The goals, as lines: hallpass verify against the bare crypto.subtle.verify and its peers, per algorithm. */
export function workerdGoals(rows: Row[]): string[] {
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met')
  const lines: string[] = []
  for (const alg of new Set(rows.map((r) => r.alg))) {
    const hp = 'hallpass (crypto.subtle)'
    const limit = pairedRatio(rows, alg, hp, 'limit: crypto.subtle.verify')
    const hono = pairedRatio(rows, alg, 'hono/jwt', hp)
    const jose = pairedRatio(rows, alg, 'jose', hp)
    const joseGoal = alg === 'HS256' ? 2 : 1.5
    if (alg === 'HS256' && limit !== undefined) lines.push(`${alg}: hallpass verify / crypto.subtle.verify = ${limit.toFixed(2)}x (goal <= 1.5x: ${check(limit <= 1.5)})`)
    if (alg === 'HS256' && hono !== undefined) lines.push(`${alg}: hono/jwt verify / hallpass verify = ${hono.toFixed(2)}x (goal >= 2x: ${check(hono >= 2)})`)
    if (jose !== undefined) lines.push(`${alg}: jose verify / hallpass verify = ${jose.toFixed(2)}x (goal >= ${joseGoal}x: ${check(jose >= joseGoal)})`)
  }
  return lines
}

if (import.meta.main) {
  process.chdir(ROOT)
  const rows = await benchWorkerd(console.log, { quick: process.argv.includes('--quick') })
  for (const line of workerdGoals(rows)) console.log(line)
}
