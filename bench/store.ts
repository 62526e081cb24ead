// Whole stdin-node processes on each store: generate, refresh and verify throughput with
// HALLPASS_STORE=memory, sqlite:FILE and postgres://… (a throwaway cluster of the bench's own, as
// in the tests), refresh with 1, 2 and 4 nodes on one database; and the node's peak RSS over a
// million verify messages fed three ways (a file, a fast pipe, a slow reader), read from outside.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPostgres } from '../test/support/postgres.ts'
import { makeTokens, SECRET } from './tokens.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** As `npm start` runs it (scripts/start.sh: the esbuild bundle, small semi-spaces). */
const NODE = ['--max-semi-space-size=8', '--disable-warning=ExperimentalWarning', 'node_modules/.cache/hallpass/node.mjs']

export interface StoreRow {
  store: string
  workload: string
  /** Node processes on the store at once (the PostgreSQL scaling rows). */
  nodes: number
  messagesPerSecond: number
}

export interface MemoryRow {
  feed: string
  messages: number
  peakRssMb: number
  seconds: number
}

type Reply = Record<string, unknown>

/** A node process: send lines, get every reply line back; timed phases. */
class Session {
  readonly #child
  #waiting: { count: number; replies: string[]; resolve: (replies: string[]) => void } | undefined
  #tail = ''

  constructor(env: Record<string, string>) {
    this.#child = spawn(process.execPath, NODE, { cwd: ROOT, env: { ...process.env, HALLPASS_SECRET: SECRET, ...env }, stdio: ['pipe', 'pipe', 'inherit'] })
    this.#child.stdout.setEncoding('utf8')
    this.#child.stdout.on('data', (chunk: string) => {
      const parts = (this.#tail + chunk).split('\n')
      this.#tail = parts.pop()!
      const waiting = this.#waiting
      if (waiting === undefined) return
      waiting.replies.push(...parts)
      if (waiting.replies.length >= waiting.count) {
        this.#waiting = undefined
        waiting.resolve(waiting.replies)
      }
    })
  }

  /** Writes the lines (with backpressure) and resolves with all their replies. */
  async send(lines: string[]): Promise<string[]> {
    const done = new Promise<string[]>((resolve) => (this.#waiting = { count: lines.length, replies: [], resolve }))
    const CHUNK = 2000
    for (let i = 0; i < lines.length; i += CHUNK) {
      if (!this.#child.stdin.write(lines.slice(i, i + CHUNK).join('\n') + '\n')) await new Promise((r) => this.#child.stdin.once('drain', r))
    }
    return done
  }

  async end(): Promise<void> {
    this.#child.stdin.end()
    await new Promise((resolve) => this.#child.on('close', resolve))
  }
}

const issueLine = (i: number, tag: string) => JSON.stringify({ type: 'generate_access_token', msg_id: i, payload: { sub: `${tag}-user${i}`, roles: ['user'] } })
const refreshLine = (token: unknown, i: number) => JSON.stringify({ type: 'refresh_token', msg_id: i, refresh_token: token })
const verifyLine = (token: string, i: number) => JSON.stringify({ type: 'verify_token', msg_id: i, token })

function expectAll(replies: string[], type: string, what: string): Reply[] {
  const parsed = replies.map((line) => JSON.parse(line) as Reply)
  const wrong = parsed.find((reply) => reply.type !== type)
  if (wrong !== undefined) throw new Error(`${what}: a reply was ${JSON.stringify(wrong).slice(0, 200)}`)
  return parsed
}

/** Median of `rounds` timings of `run`, as messages per second. */
async function rate(rounds: number, count: number, run: () => Promise<number>): Promise<number> {
  const rates: number[] = []
  for (let r = 0; r < rounds; r++) rates.push(count / (await run()))
  return rates.sort((a, b) => a - b)[rates.length >> 1]!
}

/** One node on `store`: generate `count`, refresh them, verify `count` distinct tokens; msg/s each. */
async function throughput(store: () => string, count: number, rounds: number, log: (line: string) => void, name: string): Promise<StoreRow[]> {
  const rows: StoreRow[] = []
  const tokens = makeTokens(count)
  let tag = 0
  const generate = await rate(rounds, count, async () => {
    const node = new Session({ HALLPASS_STORE: store() })
    await node.send([issueLine(0, 'warm')])
    const start = performance.now()
    expectAll(await node.send(Array.from({ length: count }, (_, i) => issueLine(i, `g${tag++}`))), 'token_generated', 'generate')
    const seconds = (performance.now() - start) / 1000
    await node.end()
    return seconds
  })
  const refresh = await rate(rounds, count, async () => {
    const node = new Session({ HALLPASS_STORE: store() })
    const issued = expectAll(await node.send(Array.from({ length: count }, (_, i) => issueLine(i, `r${tag++}`))), 'token_generated', 'issue')
    const start = performance.now()
    expectAll(await node.send(issued.map((reply, i) => refreshLine(reply.refresh_token, i))), 'token_refreshed', 'refresh')
    const seconds = (performance.now() - start) / 1000
    await node.end()
    return seconds
  })
  const verify = await rate(rounds, count, async () => {
    const node = new Session({ HALLPASS_STORE: store() })
    await node.send([verifyLine(tokens[0]!, 0)])
    const start = performance.now()
    expectAll(await node.send(tokens.map(verifyLine)), 'token_valid', 'verify')
    const seconds = (performance.now() - start) / 1000
    await node.end()
    return seconds
  })
  for (const [workload, messagesPerSecond] of [['generate', generate], ['refresh', refresh], ['verify (distinct tokens)', verify]] as const) {
    rows.push({ store: name, workload, nodes: 1, messagesPerSecond })
    log(`${name.padEnd(10)} ${workload.padEnd(26)} ${Math.round(messagesPerSecond).toLocaleString('en').padStart(9)} msg/s (median of ${rounds})`)
  }
  return rows
}

/**
 * Verify on each store, paired: one node per store, all up at once, batches of `batch` distinct
 * tokens going to one after the other (two warm-up batches, then `batches`, the order
 * alternating); each store's rate over memory's, batch by batch, the median. This machine's speed
 * moves by a quarter within seconds, which a ratio of separate runs' medians would take as the store's.
 */
async function pairedVerify(stores: Array<[name: string, store: string]>, batch: number, batches: number, log: (line: string) => void): Promise<Map<string, number>> {
  const tokens = makeTokens(batch)
  const lines = tokens.map(verifyLine)
  const nodes = stores.map(([name, store]) => ({ name, session: new Session({ HALLPASS_STORE: store }), rates: [] as number[] }))
  for (let round = 0; round < 2 + batches; round++) {
    for (const node of round % 2 === 0 ? nodes : [...nodes].reverse()) {
      const start = performance.now()
      expectAll(await node.session.send(lines), 'token_valid', `verify on ${node.name}`)
      if (round >= 2) node.rates.push(batch / ((performance.now() - start) / 1000))
    }
  }
  await Promise.all(nodes.map(({ session }) => session.end()))
  const memory = nodes[0]!.rates
  const ratios = new Map<string, number>()
  for (const { name, rates } of nodes.slice(1)) {
    const ratio = rates.map((rate, i) => rate / memory[i]!).sort((a, b) => a - b)[rates.length >> 1]!
    ratios.set(name, ratio)
    log(`${name.padEnd(10)} verify / memory, paired   ${ratio.toFixed(2)}× (median of ${batches} batches)`)
  }
  return ratios
}

/** `nodes` nodes on one database refreshing `perNode` families each, all at once: total msg/s. */
async function scaling(url: () => string, nodes: number, perNode: number, rounds: number): Promise<number> {
  return rate(rounds, nodes * perNode, async () => {
    const database = url()
    const sessions = Array.from({ length: nodes }, () => new Session({ HALLPASS_STORE: database }))
    const issued = await Promise.all(sessions.map(async (node, n) => expectAll(await node.send(Array.from({ length: perNode }, (_, i) => issueLine(i, `s${n}-${Math.random()}`))), 'token_generated', 'issue')))
    const start = performance.now()
    await Promise.all(sessions.map(async (node, n) => expectAll(await node.send(issued[n]!.map((reply, i) => refreshLine(reply.refresh_token, i))), 'token_refreshed', 'refresh')))
    const seconds = (performance.now() - start) / 1000
    await Promise.all(sessions.map((node) => node.end()))
    return seconds
  })
}

export async function benchStores(log: (line: string) => void = console.log, options: { quick?: boolean } = {}): Promise<{ rows: StoreRow[]; verifyVsMemory: Map<string, number> }> {
  execFileSync('sh', ['scripts/start.sh', '--help'], { cwd: ROOT, stdio: 'ignore' }) // builds the bundle
  const count = options.quick ? 5_000 : 40_000
  const rounds = options.quick ? 1 : 3
  const dir = mkdtempSync(join(tmpdir(), 'hallpass-bench-store-'))
  const cluster = await startPostgres()
  let files = 0
  let databases = 0
  const freshDatabase = () => {
    const name = `bench_${databases++}`
    cluster.createDatabase(name)
    return cluster.url(name)
  }
  try {
    const rows = [
      ...(await throughput(() => 'memory', count, rounds, log, 'memory')),
      ...(await throughput(() => `sqlite:${join(dir, `bench-${files++}.db`)}`, count, rounds, log, 'sqlite')),
      ...(await throughput(freshDatabase, count, rounds, log, 'postgres')),
    ]
    const verifyVsMemory = await pairedVerify(
      [
        ['memory', 'memory'],
        ['sqlite', `sqlite:${join(dir, `bench-${files++}.db`)}`],
        ['postgres', freshDatabase()],
      ],
      options.quick ? 2_000 : 10_000,
      options.quick ? 3 : 11,
      log,
    )
    const perNode = options.quick ? 2_000 : 10_000
    for (const nodes of [1, 2, 4]) {
      const messagesPerSecond = await scaling(freshDatabase, nodes, perNode, rounds)
      rows.push({ store: 'postgres', workload: 'refresh, nodes at once', nodes, messagesPerSecond })
      log(`postgres   refresh, ${nodes} node${nodes > 1 ? 's' : ' '} at once      ${Math.round(messagesPerSecond).toLocaleString('en').padStart(9)} msg/s in all (median of ${rounds})`)
    }
    return { rows, verifyVsMemory }
  } finally {
    cluster.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The peak RSS of `pid` (VmHWM), read until it exits: from outside, as a user's tools see it. */
function watchPeak(pid: number): () => number {
  let peak = 0
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024)
    } catch {
      // Gone: the last reading stands (VmHWM only grows).
    }
  }, 20)
  return () => {
    clearInterval(timer)
    return peak
  }
}

/**
 * A million verify messages (`messages`) fed three ways: stdin from a file, from `cat` at full
 * speed (a fast pipe), and with the replies read slowly (64 KiB at a time, 1 ms apart).
 */
export async function benchMemory(log: (line: string) => void = console.log, messages = 1_000_000): Promise<MemoryRow[]> {
  execFileSync('sh', ['scripts/start.sh', '--help'], { cwd: ROOT, stdio: 'ignore' })
  const dir = mkdtempSync(join(tmpdir(), 'hallpass-bench-memory-'))
  const file = join(dir, 'verify.jsonl')
  const tokens = makeTokens(10_000)
  writeFileSync(file, Array.from({ length: messages }, (_, i) => verifyLine(tokens[i % tokens.length]!, i)).join('\n') + '\n')
  const env = { ...process.env, HALLPASS_SECRET: SECRET }
  const rows: MemoryRow[] = []
  const feeds: Array<[string, () => Promise<void>]> = [
    ['a file on stdin', () => new Promise((resolve) => {
      const child = spawn(process.execPath, NODE, { cwd: ROOT, env, stdio: [openSync(file, 'r'), 'ignore', 'inherit'] })
      const peak = watchPeak(child.pid!)
      child.on('close', () => resolve(void rows.push({ feed: 'a file on stdin', messages, peakRssMb: peak(), seconds: 0 })))
    })],
    ['a fast pipe (cat)', () => new Promise((resolve) => {
      const cat = spawn('cat', [file], { stdio: ['ignore', 'pipe', 'inherit'] })
      const child = spawn(process.execPath, NODE, { cwd: ROOT, env, stdio: [cat.stdout, 'ignore', 'inherit'] })
      const peak = watchPeak(child.pid!)
      child.on('close', () => resolve(void rows.push({ feed: 'a fast pipe (cat)', messages, peakRssMb: peak(), seconds: 0 })))
    })],
    ['a slow reader', () => new Promise((resolve) => {
      const child = spawn(process.execPath, NODE, { cwd: ROOT, env, stdio: [openSync(file, 'r'), 'pipe', 'inherit'] })
      const peak = watchPeak(child.pid!)
      const out = child.stdout!
      out.on('data', () => {
        out.pause()
        setTimeout(() => out.resume(), 1)
      })
      child.on('close', () => resolve(void rows.push({ feed: 'a slow reader', messages, peakRssMb: peak(), seconds: 0 })))
    })],
  ]
  try {
    for (const [feed, run] of feeds) {
      const start = performance.now()
      await run()
      rows.at(-1)!.seconds = (performance.now() - start) / 1000
      log(`peak RSS, ${messages.toLocaleString('en')} verify messages from ${feed.padEnd(18)} ${rows.at(-1)!.peakRssMb.toFixed(0).padStart(4)} MB (${rows.at(-1)!.seconds.toFixed(1)} s)`)
    }
    return rows
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const quick = process.argv.includes('--quick')
  await benchStores(console.log, { quick })
  await benchMemory(console.log, quick ? 100_000 : 1_000_000)
}
