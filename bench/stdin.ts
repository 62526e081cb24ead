// Whole processes: messages per second through the stdin node against a fast-jwt node and an echo
// node (the floor), and the hallpass node's peak RSS over a million messages.
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { makeTokens, SECRET } from './tokens.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning']
export const NODES = {
  // As `npm start` runs it (scripts/start.sh: the esbuild bundle, small semi-spaces).
  hallpass: ['--max-semi-space-size=8', 'node_modules/.cache/hallpass/node.mjs'],
  'fast-jwt node': [...NODE_FLAGS, 'bench/peers/line-node.ts', 'fast-jwt'],
  // fast-jwt as a Node user writes it: readline, JSON, replies batched per tick (verify only).
  'plain fast-jwt node': [...NODE_FLAGS, 'bench/peers/readline-node.ts'],
  // hallpass's generate written by hand on node:crypto (generate only).
  'hand-written generate node': [...NODE_FLAGS, 'bench/peers/generate-node.ts'],
  // The least a verify node does (one HMAC, decode, parse, reply; nothing checked): verify only.
  'floor node (no checks)': [...NODE_FLAGS, 'bench/peers/floor-node.ts'],
  'echo node (floor)': [...NODE_FLAGS, 'bench/peers/line-node.ts', 'echo'],
} as const

/** Which nodes take part in a workload: each peer only where it does the same work. */
function takesPart(workload: string, node: string): boolean {
  if (node === 'hand-written generate node') return workload === 'generate'
  if (workload === 'generate') return node === 'hallpass' || node === 'fast-jwt node'
  if (node === 'plain fast-jwt node' || node === 'floor node (no checks)') return workload === 'verify (distinct tokens)'
  return true
}

export interface ThroughputRow {
  workload: string
  node: string
  /** The median over the timed batches. */
  messagesPerSecond: number
  /** This node's rate over hallpass's, batch by batch, the median (see benchStdin). */
  relativeToHallpass: number
  /** Its rate in each timed batch, in the order the batches ran (every node of a workload had the same batches). */
  rates: number[]
}

/** `node`'s rate over `other`'s in one workload, batch by batch, the median; undefined when either is missing. */
export function pairedRate(rows: readonly ThroughputRow[], workload: string, node: string, other: string): number | undefined {
  const top = rows.find((r) => r.workload === workload && r.node === node)
  const bottom = rows.find((r) => r.workload === workload && r.node === other)
  if (top === undefined || bottom === undefined) return undefined
  return median(top.rates.map((rate, i) => rate / bottom.rates[i]!))
}

/** One node process, kept running: fed batches of lines, each timed to its last reply. */
class LineNode {
  readonly #child: ChildProcessByStdio<Writable, Readable, null>
  readonly #name: string
  #replies = 0
  #waiting: { count: number; done: () => void } | undefined

  constructor(name: string, args: readonly string[], env: Record<string, string>) {
    this.#name = name
    this.#child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, HALLPASS_SECRET: SECRET, ...env }, stdio: ['pipe', 'pipe', 'inherit'] })
    this.#child.stdout.setEncoding('utf8')
    this.#child.stdout.on('data', (chunk: string) => {
      for (let at = chunk.indexOf('\n'); at >= 0; at = chunk.indexOf('\n', at + 1)) this.#replies++
      if (this.#waiting !== undefined && this.#replies >= this.#waiting.count) this.#waiting.done()
    })
  }

  /** Up once it has answered an `init`. */
  async ready(): Promise<void> {
    await this.batch([initLine()])
  }

  /** Sends `lines` and resolves, in seconds, when every one of them has its reply. */
  async batch(lines: readonly string[]): Promise<number> {
    const count = this.#replies + lines.length
    const replied = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.#name}: timed out with ${this.#replies - count + lines.length}/${lines.length} replies`)), 180_000)
      this.#waiting = { count, done: () => (clearTimeout(timer), resolve()) }
    })
    const started = performance.now()
    const CHUNK = 2000
    for (let i = 0; i < lines.length; i += CHUNK) {
      if (!this.#child.stdin.write(lines.slice(i, i + CHUNK).join('\n') + '\n')) await new Promise((r) => this.#child.stdin.once('drain', r))
    }
    await replied
    this.#waiting = undefined
    return (performance.now() - started) / 1000
  }

  /** The process's peak RSS so far (VmHWM), in MB. */
  peakRssMb(): number {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.#child.pid}/status`, 'utf8'))![1]) / 1024
  }

  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.#child.on('close', resolve))
    this.#child.stdin.end()
    await closed
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]!
}

export const initLine = () => JSON.stringify({ src: 'c0', dest: 'n1', body: { type: 'init', msg_id: 0, node_id: 'n1', node_ids: ['n1'] } })
export const verifyLine = (token: string, i: number) => JSON.stringify({ src: 'c1', dest: 'jwt', body: { type: 'verify_token', msg_id: i, token } })
const issueLine = (i: number) => JSON.stringify({ src: 'c1', dest: 'jwt', body: { type: 'generate_access_token', msg_id: i, payload: { sub: `user${i}`, email: `user${i}@example.com`, roles: ['user'] } } })

/** Batches per workload before the timed ones: the JIT compilers settle, the heap grows to size. */
const WARMUP_BATCHES = 2

/**
 * Every node of a workload runs at once, idle but for the batch it is given: batches of `batch`
 * messages go to one node after the other, `batches` times (the order alternating), each timed
 * from its first message to its last reply. A node's rate is the median over its batches; its
 * ratio to hallpass is taken batch by batch, against the hallpass batch beside it in time, then
 * the median: this machine's speed moves by a quarter within seconds, and a pair a second apart
 * shares the moment. The peak RSS is read over `memoryMessages` verify messages to a fresh node.
 */
export async function benchStdin(log: (line: string) => void = console.log, batch = 10_000, memoryMessages = 1_000_000, batches = 41): Promise<{ rows: ThroughputRow[]; peakRssMb: number; memoryMessages: number; batch: number; batches: number }> {
  execFileSync('sh', ['scripts/start.sh', '--help'], { cwd: ROOT, stdio: 'ignore' }) // builds the bundle
  const tokens = makeTokens(batch)
  const workloads: Array<[string, (i: number) => string, Record<string, Record<string, string>>]> = [
    ['verify (distinct tokens)', (i) => verifyLine(tokens[i % batch]!, i), {}],
    ['verify (one token, caches on)', (i) => verifyLine(tokens[0]!, i), { hallpass: { HALLPASS_VERIFY_CACHE: '1000' }, 'fast-jwt node': { FAST_JWT_CACHE: '1' } }],
    // Half as many: each one signs two tokens and records a family.
    ['generate', (i) => issueLine(i), {}],
  ]
  const rows: ThroughputRow[] = []
  for (const [workload, line, envs] of workloads) {
    const size = workload === 'generate' ? batch / 2 : batch
    const nodes = Object.entries(NODES)
      .filter(([node]) => takesPart(workload, node))
      .map(([node, args]) => ({ node, process: new LineNode(node, args, envs[node] ?? {}), rates: [] as number[] }))
    await Promise.all(nodes.map(({ process }) => process.ready()))
    for (let round = 0; round < WARMUP_BATCHES + batches; round++) {
      const lines = Array.from({ length: size }, (_, i) => line(round * size + i))
      for (const node of round % 2 === 0 ? nodes : [...nodes].reverse()) {
        const seconds = await node.process.batch(lines)
        if (round >= WARMUP_BATCHES) node.rates.push(size / seconds)
      }
    }
    await Promise.all(nodes.map(({ process }) => process.close()))
    const hallpass = nodes.find(({ node }) => node === 'hallpass')!.rates
    for (const { node, rates } of nodes) {
      const messagesPerSecond = median(rates)
      const relativeToHallpass = median(rates.map((rate, i) => rate / hallpass[i]!))
      rows.push({ workload, node, messagesPerSecond, relativeToHallpass, rates })
      log(`${workload.padEnd(32)} ${node.padEnd(28)} ${Math.round(messagesPerSecond).toLocaleString('en').padStart(10)} msg/s, ${relativeToHallpass.toFixed(2)}× hallpass (medians of ${batches} batches)`)
    }
  }
  const memoryTokens = makeTokens(10_000)
  const memoryNode = new LineNode('hallpass', NODES.hallpass, {})
  await memoryNode.ready()
  await memoryNode.batch(Array.from({ length: memoryMessages }, (_, i) => verifyLine(memoryTokens[i % memoryTokens.length]!, i)))
  const peakRssMb = memoryNode.peakRssMb()
  await memoryNode.close()
  log(`peak RSS of the hallpass node over ${memoryMessages.toLocaleString('en')} verify messages: ${peakRssMb.toFixed(0)} MB`)
  return { rows, peakRssMb, memoryMessages, batch, batches }
}

if (import.meta.main) await (process.argv.includes('--quick') ? benchStdin(console.log, 4_000, 100_000, 5) : benchStdin())
