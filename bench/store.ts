// Whole stdin-node processes on each store: generate, refresh and verify throughput with
// HALLPASS_STORE=memory, sqlite:FILE and postgres://… (a throwaway cluster of the bench's own, as
// in the tests), refresh with 1, 2 and 4 nodes on one database, generate and refresh on PostgreSQL
// beside the floor of one statement from postgres.js (bench/postgres-floor.ts); and the node's peak
// RSS over a million verify messages fed three ways (a file, a fast pipe, a slow reader), read from outside.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPostgres, type PostgresCluster } from '../test/support/postgres.ts'
import { floorDrift, floorFamilies, floorRotations, FLOOR_CONNECTIONS, PostgresFloor, processCpu, serverCpuMeter, type FloorFamily } from './postgres-floor.ts'
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

  get pid(): number {
    return this.#child.pid!
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

/** The sides of the floor comparison: the node, the floor (prepared, as the store's statements are), and the floor unprepared. */
export const FLOOR_SIDES = ['hallpass stdin node', 'floor (prepared)', 'floor, unprepared'] as const
export type FloorSide = (typeof FLOOR_SIDES)[number]

export interface FloorRow {
  workload: 'generate' | 'refresh'
  side: FloorSide
  /** Messages (statements) per second in each timed batch, in the order the batches ran. */
  rates: number[]
  /** PostgreSQL's CPU a message, µs, each batch (the server's processes, from /proc); empty when unreadable. */
  serverCpuUs: number[]
  /** The CPU a message of the process that talks to PostgreSQL (the node; the floor's is this one), µs, each batch. */
  clientCpuUs: number[]
}

export interface PostgresFloorResult {
  rows: FloorRow[]
  batch: number
  batches: number
  connections: number
  inFlight: number
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]!
}

/** `side`'s rate over `other`'s in one workload, batch by batch: each batch beside the other side's of the same round. */
export function floorRatios(result: PostgresFloorResult, workload: FloorRow['workload'], side: FloorSide, other: FloorSide): number[] {
  const top = result.rows.find((r) => r.workload === workload && r.side === side)!.rates
  const bottom = result.rows.find((r) => r.workload === workload && r.side === other)!.rates
  return top.map((rate, i) => rate / bottom[i]!)
}

/**
 * generate and refresh on PostgreSQL beside their floor, in the same run and batch by batch. A
 * stdin node on a fresh database (it makes the schema: the floor writes the very table and
 * indexes), kept up throughout; the floor in this process on the same database
 * (bench/postgres-floor.ts). Each round: `batch` generate messages to the node and `batch`
 * one-row INSERTs from the floor (prepared, then unprepared), then `batch` refreshes of those
 * families and `batch` rotations of the floor's rows; the order of the sides alternating from
 * round to round, so each pair of batches ran within seconds of each other. Two warm-up rounds,
 * then `batches` timed. The node's replies are checked after its clock stops.
 */
async function pairedPostgresFloor(url: string, batch: number, batches: number, log: (line: string) => void): Promise<PostgresFloorResult> {
  const { inFlight, warnings } = floorDrift()
  for (const warning of warnings) log(`postgres floor: ${warning}`)
  const node = new Session({ HALLPASS_STORE: url })
  let floor: PostgresFloor | undefined
  try {
    expectAll(await node.send([issueLine(0, 'warm')]), 'token_generated', 'generate') // the schema is made
    floor = await PostgresFloor.open(url, FLOOR_CONNECTIONS, inFlight)
    const serverCpu = await serverCpuMeter(url)
    const rows: FloorRow[] = (['generate', 'refresh'] as const).flatMap((workload) => FLOOR_SIDES.map((side) => ({ workload, side, rates: [], serverCpuUs: [], clientCpuUs: [] })))
    const WARMUP = 2
    for (let round = 0; round < WARMUP + batches; round++) {
      const tag = `f${round}`
      const lines = Array.from({ length: batch }, (_, i) => issueLine(i, `${tag}h`))
      const families: Record<Exclude<FloorSide, 'hallpass stdin node'>, FloorFamily[]> = { 'floor (prepared)': floorFamilies(batch, `${tag}p`), 'floor, unprepared': floorFamilies(batch, `${tag}u`) }
      const order = round % 2 === 0 ? FLOOR_SIDES : [...FLOOR_SIDES].reverse()
      const timed = async (workload: FloorRow['workload'], side: FloorSide, run: () => Promise<void>) => {
        const own = () => {
          const { user, system } = process.cpuUsage()
          return (user + system) / 1e6
        }
        const client = side === 'hallpass stdin node' ? () => processCpu(node.pid) : own
        const [server0, client0] = [serverCpu(), client()]
        const start = performance.now()
        await run()
        const seconds = (performance.now() - start) / 1000
        const [server1, client1] = [serverCpu(), client()]
        if (round < WARMUP) return
        const row = rows.find((r) => r.workload === workload && r.side === side)!
        row.rates.push(batch / seconds)
        if (server0 !== undefined && server1 !== undefined) row.serverCpuUs.push(((server1 - server0) / batch) * 1e6)
        if (client0 !== undefined && client1 !== undefined) row.clientCpuUs.push(((client1 - client0) / batch) * 1e6)
      }
      let issued: string[] = []
      for (const side of order) {
        await timed('generate', side, async () => {
          if (side === 'hallpass stdin node') issued = await node.send(lines)
          else await floor!.insert(families[side], side === 'floor (prepared)')
        })
      }
      const refreshes = expectAll(issued, 'token_generated', 'generate').map((reply, i) => refreshLine(reply.refresh_token, i))
      let refreshed: string[] = []
      const rotations = { 'floor (prepared)': floorRotations(families['floor (prepared)']), 'floor, unprepared': floorRotations(families['floor, unprepared']) }
      for (const side of order) {
        await timed('refresh', side, async () => {
          if (side === 'hallpass stdin node') refreshed = await node.send(refreshes)
          else await floor!.rotate(rotations[side], side === 'floor (prepared)')
        })
      }
      expectAll(refreshed, 'token_refreshed', 'refresh')
    }
    for (const row of rows) {
      const cpu = (values: number[]) => (values.length === 0 ? '?' : median(values).toFixed(0))
      log(`postgres   ${row.workload.padEnd(9)} ${row.side.padEnd(20)} ${Math.round(median(row.rates)).toLocaleString('en').padStart(9)} msg/s (${Math.round(Math.min(...row.rates)).toLocaleString('en')}–${Math.round(Math.max(...row.rates)).toLocaleString('en')}), CPU a message: PostgreSQL ${cpu(row.serverCpuUs)} µs, client ${cpu(row.clientCpuUs)} µs`)
    }
    const result = { rows, batch, batches, connections: FLOOR_CONNECTIONS, inFlight }
    for (const workload of ['generate', 'refresh'] as const) {
      const ratios = floorRatios(result, workload, 'hallpass stdin node', 'floor (prepared)')
      log(`postgres   ${workload} / its floor, paired: ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} over ${batches} batches)`)
    }
    return result
  } finally {
    await Promise.all([node.end(), floor?.close()])
  }
}

/**
 * The floor comparison alone (`node bench/store.ts --postgres-floor`), or on the cluster of
 * benchStores; a failure is returned as its reason, so the other store figures stand.
 */
export async function benchPostgresFloor(log: (line: string) => void = console.log, options: { quick?: boolean; cluster?: PostgresCluster } = {}): Promise<PostgresFloorResult | string> {
  execFileSync('sh', ['scripts/start.sh', '--help'], { cwd: ROOT, stdio: 'ignore' }) // builds the bundle
  const cluster = options.cluster ?? (await startPostgres())
  try {
    cluster.createDatabase('bench_floor')
    return await pairedPostgresFloor(cluster.url('bench_floor'), options.quick ? 2_000 : 10_000, options.quick ? 3 : 11, log)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    log(`postgres floor failed: ${reason}`)
    return `failed: ${reason}`
  } finally {
    if (options.cluster === undefined) cluster.stop()
  }
}

export async function benchStores(log: (line: string) => void = console.log, options: { quick?: boolean } = {}): Promise<{ rows: StoreRow[]; verifyVsMemory: Map<string, number>; postgresFloor: PostgresFloorResult | string }> {
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
    const postgresFloor = await benchPostgresFloor(log, { quick: options.quick === true, cluster })
    return { rows, verifyVsMemory, postgresFloor }
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
  if (process.argv.includes('--postgres-floor')) {
    await benchPostgresFloor(console.log, { quick })
    process.exit(0)
  }
  await benchStores(console.log, { quick })
  await benchMemory(console.log, quick ? 100_000 : 1_000_000)
}
