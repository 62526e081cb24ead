// Workers over HTTP, each under `wrangler dev` on 127.0.0.1: requests per second (and latency p50 and
// p99) of verifying distinct valid tokens through
//   - the hallpass worker: POST /v1/messages verify_token (each valid verify also asks the
//     Revocations Durable Object, as deployed),
//   - examples/protected-api: GET /api/me behind the hallpass/hono middleware (local verify),
//   - bench/workerd/hono-jwt-worker.ts: the same GET /api/me behind hono/jwt's middleware,
//   - and that worker's unauthenticated GET /health, the floor of wrangler dev itself.
// The load is a closed loop of `connections` keep-alive connections (node:http, no load-testing
// dependency), each sending its next request when the last one is answered. All workers run at
// once and the targets take turns in half-second slices after a warm-up, so that the noise of a
// shared machine falls on every target alike; the rate is the median of a target's slices.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { makeTokens, SECRET } from './tokens.ts'
import { wranglerDev as startDev, type DevServer } from '../test/support/wrangler-dev.ts'

export interface HttpRow {
  target: string
  requestsPerSecond: number
  p50Ms?: number
  p99Ms?: number
  /** Answers that were not the expected 200 (the row is worthless when this is not 0). */
  errors?: number
  /**
   * CPU µs per request used by the server side (wrangler dev's whole process group: its proxy and
   * runtime workerd processes, Durable Objects included): less sensitive than requests/s to other
   * load on the machine, and to the load generator sharing its cores. Linux only.
   */
  serverCpuUsPerRequest?: number
}

export interface HttpOptions {
  /** Measured seconds per target (5). */
  seconds?: number
  /** Warm-up seconds per target, not measured (1). */
  warmupSeconds?: number
  /** Concurrent keep-alive connections (20). */
  connections?: number
}

const DISTINCT = 4096
/** Length of one turn of a target (s). */
const SLICE_SECONDS = 0.5
const ISSUER_KEY = 'bench-issuer-key-bench-issuer-key-bench!'

interface Server extends DevServer {
  /** CPU seconds used so far by wrangler dev's process group (its workerd processes, Durable Objects included). */
  cpuSeconds(): number | undefined
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** utime + stime of every process in group `pgid`, from /proc (Linux); undefined elsewhere. */
function groupCpuSeconds(pgid: number): number | undefined {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return undefined
  }
  let ticks = 0
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // After the parenthesised command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12])
    } catch {}
  }
  return ticks / CLOCK_TICKS
}

/** `npm run dev` with `args` on a free port of 127.0.0.1, once GET /health answers 200. */
async function wranglerDev(args: string[]): Promise<Server> {
  const server = await startDev(args)
  return { ...server, cpuSeconds: () => (server.pid === undefined ? undefined : groupCpuSeconds(server.pid)) }
}

interface Target {
  target: string
  method: 'GET' | 'POST'
  path: string
  /** The i-th request's headers and body. */
  request: (i: number) => { headers: Record<string, string>; body?: string }
  /** What a right answer's body contains. */
  expect: string
}

interface Answer {
  status: number
  body: string
}

function send(agent: Agent, base: URL, target: Target, i: number, keepBody: boolean): Promise<Answer> {
  const { headers, body } = target.request(i)
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: base.hostname, port: base.port, method: target.method, path: target.path, headers: body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = ''
      if (keepBody) res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
      else res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      res.on('error', reject)
    })
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')))
    req.on('error', reject)
    req.end(body)
  })
}

/** A closed loop of `connections` keep-alive connections for `seconds`: rate and latencies. */
async function load(base: URL, target: Target, seconds: number, connections: number, agent: Agent, first: number): Promise<{ count: number; errors: number; latencies: number[]; elapsed: number }> {
  const latencies: number[] = []
  let errors = 0
  let next = first
  const started = performance.now()
  const end = started + seconds * 1000
  const loop = async () => {
    while (performance.now() < end) {
      const t0 = performance.now()
      try {
        const answer = await send(agent, base, target, next++, false)
        if (answer.status !== 200) errors++
      } catch {
        errors++
      }
      latencies.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: connections }, loop))
  return { count: latencies.length, errors, latencies, elapsed: (performance.now() - started) / 1000 }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const round2 = (value: number) => Math.round(value * 100) / 100

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

interface Running {
  base: URL
  server: Server
  target: Target
  agent: Agent
  /** Requests sent so far: the next request's token index. */
  sent: number
  count: number
  errors: number
  seconds: number
  /** Requests per second of each slice. */
  rates: number[]
  /** Server CPU seconds over the measured slices; undefined without /proc. */
  cpu: number | undefined
  latencies: number[]
}

export async function benchHttp(log: (line: string) => void = console.log, options: HttpOptions = {}): Promise<HttpRow[]> {
  const settings: Required<HttpOptions> = { seconds: 5, warmupSeconds: 1, connections: 20, ...options }
  const tokens = makeTokens(DISTINCT)
  const token = (i: number) => tokens[i & (DISTINCT - 1)]!
  const bearer = (i: number) => ({ headers: { Authorization: `Bearer ${token(i)}` } })
  const me = { method: 'GET', path: '/api/me', request: bearer, expect: '"sub":"user' } as const
  const servers: Array<{ args: string[]; targets: Target[] }> = [
    {
      args: ['--config', 'wrangler.toml', '--var', `HALLPASS_SECRET:${SECRET}`, '--var', `HALLPASS_ISSUER_KEY:${ISSUER_KEY}`],
      targets: [
        {
          target: 'hallpass worker: POST /v1/messages verify_token (+ DO revocation check)',
          method: 'POST',
          path: '/v1/messages',
          request: (i) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ src: 'c1', dest: 'jwt', body: { type: 'verify_token', msg_id: i, token: token(i) } }) }),
          expect: '"token_valid"',
        },
      ],
    },
    {
      args: ['--config', 'examples/protected-api/wrangler.toml', '--var', `HALLPASS_SECRET:${SECRET}`],
      targets: [{ target: 'hallpass/hono middleware worker (examples/protected-api): GET /api/me', ...me }],
    },
    {
      args: ['--config', 'bench/workerd/hono-jwt.wrangler.toml', '--var', `JWT_SECRET:${SECRET}`],
      targets: [
        { target: 'hono/jwt middleware worker: GET /api/me', ...me },
        { target: 'floor: the same worker, GET /health (no token)', method: 'GET', path: '/health', request: () => ({ headers: {} }), expect: '"ok"' },
      ],
    },
  ]
  // All the workers run at once (idle ones cost next to nothing), so that the targets can take
  // turns: half-second slices round the targets, and a noisy spell on a shared machine hits all alike.
  const started: Server[] = []
  const runs: Running[] = []
  try {
    for (const { args, targets } of servers) {
      const server = await wranglerDev(args)
      started.push(server)
      for (const target of targets) runs.push({ base: server.base, server, cpu: 0, rates: [], target, agent: new Agent({ keepAlive: true, maxSockets: settings.connections }), sent: 0, count: 0, errors: 0, seconds: 0, latencies: [] })
    }
    for (const run of runs) {
      // A right answer first: a 401 per request would be a fast, meaningless number.
      const check = await send(run.agent, run.base, run.target, run.sent++, true)
      if (check.status !== 200 || !check.body.includes(run.target.expect)) throw new Error(`${run.target.target}: expected 200 with ${run.target.expect}, got ${check.status} ${check.body.slice(0, 300)}`)
      const warm = await load(run.base, run.target, settings.warmupSeconds, settings.connections, run.agent, run.sent)
      run.sent += warm.count
    }
    const slices = Math.max(1, Math.round(settings.seconds / SLICE_SECONDS))
    for (let slice = 0; slice < slices; slice++) {
      for (const run of runs) {
        const cpuBefore = run.server.cpuSeconds()
        const part = await load(run.base, run.target, settings.seconds / slices, settings.connections, run.agent, run.sent)
        const cpuAfter = run.server.cpuSeconds()
        run.cpu = run.cpu === undefined || cpuBefore === undefined || cpuAfter === undefined ? undefined : run.cpu + cpuAfter - cpuBefore
        run.sent += part.count
        run.count += part.count
        run.errors += part.errors
        run.seconds += part.elapsed
        run.rates.push(part.count / part.elapsed)
        for (const latency of part.latencies) run.latencies.push(latency)
      }
    }
    // A number with failed requests in it means nothing (wrangler dev reloads when a source file
    // changes under it, and a reload mid-run drops requests): refuse it, and say why.
    for (const run of runs) {
      if (run.errors > 0) {
        const { output, exited } = run.server.status()
        throw new Error(`${run.target.target}: ${run.errors} of ${run.count} requests failed${exited ? ' (wrangler dev exited)' : ''}; wrangler dev said:\n${output}`)
      }
    }
    const rows: HttpRow[] = []
    for (const run of runs) {
      const sorted = run.latencies.sort((a, b) => a - b)
      const row: HttpRow = { target: run.target.target, requestsPerSecond: median(run.rates), p50Ms: round2(percentile(sorted, 50)), p99Ms: round2(percentile(sorted, 99)), errors: run.errors }
      if (run.cpu !== undefined && run.count > 0) row.serverCpuUsPerRequest = Math.round((run.cpu * 1e6) / run.count)
      rows.push(row)
      log(`${row.target.padEnd(72)} ${row.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${row.p50Ms!.toFixed(2).padStart(6)} ms   p99 ${row.p99Ms!.toFixed(2).padStart(6)} ms   server CPU ${row.serverCpuUsPerRequest?.toFixed(0).padStart(5) ?? '    ?'} µs/req${run.errors ? `   ${run.errors} ERRORS` : ''}`)
    }
    return rows
  } finally {
    for (const run of runs) run.agent.destroy()
    for (const server of started) await server.stop()
  }
}

/** The issue's goal, as a line: the hallpass middleware worker against the hono/jwt one. */
export function httpGoals(rows: HttpRow[]): string[] {
  const row = (prefix: string) => rows.find((r) => r.target.startsWith(prefix))
  const hp = row('hallpass/hono')
  const hono = row('hono/jwt')
  const floor = row('floor')
  if (hp === undefined || hono === undefined) return []
  const lines = [`hallpass/hono worker / hono/jwt worker = ${(hp.requestsPerSecond / hono.requestsPerSecond).toFixed(2)}x requests/s (goal >= 1.0x: ${hp.requestsPerSecond >= hono.requestsPerSecond ? 'met' : 'NOT met'})`]
  // wrangler dev's own cost dwarfs a verify: the server CPU above the floor is the closer look.
  const cpu = (r: HttpRow) => r.serverCpuUsPerRequest! - floor!.serverCpuUsPerRequest!
  if (floor?.serverCpuUsPerRequest !== undefined && hp.serverCpuUsPerRequest !== undefined && hono.serverCpuUsPerRequest !== undefined) {
    lines.push(`server CPU above the floor per request: hallpass/hono ${cpu(hp).toFixed(0)} µs, hono/jwt ${cpu(hono).toFixed(0)} µs (floor ${floor.serverCpuUsPerRequest.toFixed(0)} µs)`)
  }
  return lines
}

if (import.meta.main) {
  const rows = await benchHttp()
  for (const line of httpGoals(rows)) console.log(line)
}
