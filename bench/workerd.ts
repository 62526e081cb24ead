// hallpass against its peers inside the Workers runtime (workerd): µs per verify and per sign, the
// same comparison as bench/node-core.ts. fast-jwt and jsonwebtoken are Node-only and left out.
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
  group: string
  name: string
  /** Mean nanoseconds per operation. */
  ns: number
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CONFIG = fileURLToPath(new URL('./workerd/bench-worker.wrangler.toml', import.meta.url))

/** Wall time one timed request should take (ms): long against the request overhead, short in total. */
const TARGET_MS = 80
/** Bounds of N, the operations per timed request. */
const MIN_N = 1000
const MAX_N = 200_000
/** Pairs of timed requests (n=0 and n=N) per case; the median of each side is taken. */
const ROUNDS = 9
/** No request may take longer than this (ms). */
const REQUEST_TIMEOUT_MS = 30_000
/** The whole benchmark gives up after this (ms). */
const DEADLINE_MS = 120_000

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

interface CaseInfo {
  id: string
  group: string
  name: string
}

export async function benchWorkerd(log: (line: string) => void = console.log): Promise<Row[]> {
  process.env.WRANGLER_SEND_METRICS = 'false'
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'
  process.env.WRANGLER_LOG ??= 'warn'
  const { unstable_startWorker } = await import('wrangler')
  const deadline = performance.now() + DEADLINE_MS
  const port = await freePort()
  const worker = await unstable_startWorker({
    config: CONFIG,
    bindings: { BENCH_SECRET: { type: 'plain_text', value: SECRET } },
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

    // The first request builds the tokens and checks that every verifier accepts them.
    const cases = (await get('/cases')) as CaseInfo[]
    // Warm up each case (JIT, key caches), then pick its N so that a timed request takes about TARGET_MS.
    const plan: Array<CaseInfo & { n: number; empty: number[]; full: number[] }> = []
    for (const info of cases) {
      await time(info.id, 2000)
      // Minima: a noisy spell only ever makes a request slower.
      const overhead = Math.min(await time(info.id, 0), await time(info.id, 0), await time(info.id, 0))
      const probe = Math.max(Math.min(await time(info.id, 1000), await time(info.id, 1000)) - overhead, 0.01)
      const n = Math.min(MAX_N, Math.max(MIN_N, Math.round((TARGET_MS / probe) * 1000)))
      plan.push({ ...info, n, empty: [], full: [] })
    }
    // Rounds over all cases, so that a noisy spell on a shared machine hits every case alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const entry of plan) {
        // Alternate the order, so that neither side always runs right after the other.
        const sides: Array<[number[], number]> = [[entry.empty, 0], [entry.full, entry.n]]
        if (round % 2 === 1) sides.reverse()
        for (const [into, n] of sides) into.push(await time(entry.id, n))
      }
    }
    const rows: Row[] = []
    for (const { group, name, n, empty, full } of plan) {
      const ns = (Math.max(median(full) - median(empty), 0) * 1e6) / n
      rows.push({ group, name, ns })
      log(`${group.padEnd(16)} ${name.padEnd(52)} ${(ns / 1000).toFixed(2).padStart(8)} µs   (n=${n}, request overhead ${median(empty).toFixed(1)} ms)`)
    }
    return rows
  } finally {
    await worker.dispose()
  }
}

/** The goals, as lines: hallpass verify against the bare crypto.subtle.verify and its peers. */
export function workerdGoals(rows: Row[]): string[] {
  const ns = (name: string) => rows.find((r) => r.group === 'verify' && r.name.startsWith(name))?.ns
  const hp = ns('hallpass')
  const limit = ns('limit: crypto.subtle.verify')
  const hono = ns('hono/jwt')
  const jose = ns('jose')
  if (hp === undefined || limit === undefined || hono === undefined || jose === undefined) return []
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met')
  return [
    `hallpass verify / crypto.subtle.verify = ${(hp / limit).toFixed(2)}x (goal <= 1.5x: ${check(hp <= 1.5 * limit)})`,
    `hono/jwt verify / hallpass verify = ${(hono / hp).toFixed(2)}x (goal >= 2x: ${check(hono >= 2 * hp)})`,
    `jose verify / hallpass verify = ${(jose / hp).toFixed(2)}x (goal >= 2x: ${check(jose >= 2 * hp)})`,
  ]
}

if (import.meta.main) {
  process.chdir(ROOT)
  const rows = await benchWorkerd()
  for (const line of workerdGoals(rows)) console.log(line)
}
