// Whole processes: messages per second through the stdin node against a fast-jwt node and an echo
// node (the floor), and the hallpass node's peak RSS over a million messages.
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { makeTokens, SECRET } from './tokens.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning']
const NODES = {
  // As `npm start` runs it (scripts/start.sh: the esbuild bundle, small semi-spaces).
  hallpass: ['--max-semi-space-size=4', 'node_modules/.cache/hallpass/node.mjs'],
  'fast-jwt node': [...NODE_FLAGS, 'bench/peers/line-node.ts', 'fast-jwt'],
  // fast-jwt as a Node user writes it: readline, JSON, replies batched per tick (verify only).
  'plain fast-jwt node': [...NODE_FLAGS, 'bench/peers/readline-node.ts'],
  // hallpass's generate written by hand on node:crypto (generate only).
  'hand-written generate node': [...NODE_FLAGS, 'bench/peers/generate-node.ts'],
  'echo node (floor)': [...NODE_FLAGS, 'bench/peers/line-node.ts', 'echo'],
} as const

/** Which nodes take part in a workload: each peer only where it does the same work. */
function takesPart(workload: string, node: string): boolean {
  if (node === 'hand-written generate node') return workload === 'generate'
  if (workload === 'generate') return node === 'hallpass' || node === 'fast-jwt node'
  if (node === 'plain fast-jwt node') return workload === 'verify (distinct tokens)'
  return true
}

export interface ThroughputRow {
  workload: string
  node: string
  messagesPerSecond: number
}

interface RunResult {
  seconds: number
  replies: number
  peakRssMb: number
}

/** Sends `lines` to a fresh node, waits for every reply, reads its peak RSS, then ends it. */
function run(args: readonly string[], lines: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, HALLPASS_SECRET: SECRET, ...env }, stdio: ['pipe', 'pipe', 'inherit'] })
    let replies = 0
    let started = 0
    let tail = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${args.join(' ')}: timed out with ${replies}/${lines.length} replies`))
    }, 180_000)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      const text = tail + chunk
      let at = -1
      while ((at = text.indexOf('\n', at + 1)) >= 0) replies++
      tail = text.slice(text.lastIndexOf('\n') + 1)
      if (replies === lines.length) {
        const seconds = (performance.now() - started) / 1000
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
        const peakRssMb = Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024
        clearTimeout(timer)
        child.stdin.end()
        child.on('close', () => resolve({ seconds, replies, peakRssMb }))
      }
    })
    // Wait until the node is up (it answers a first message), then time the batch.
    child.stdin.write(JSON.stringify({ src: 'c0', dest: 'n1', body: { type: 'init', msg_id: 0, node_id: 'n1', node_ids: ['n1'] } }) + '\n')
    child.stdout.once('data', async () => {
      replies = 0
      tail = ''
      started = performance.now()
      const CHUNK = 2000
      for (let i = 0; i < lines.length; i += CHUNK) {
        if (!child.stdin.write(lines.slice(i, i + CHUNK).join('\n') + '\n')) await new Promise((r) => child.stdin.once('drain', r))
      }
    })
  })
}

const ROUNDS = 3

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]!
}

const verifyLine = (token: string, i: number) => JSON.stringify({ src: 'c1', dest: 'jwt', body: { type: 'verify_token', msg_id: i, token } })
const issueLine = (i: number) => JSON.stringify({ src: 'c1', dest: 'jwt', body: { type: 'generate_access_token', msg_id: i, payload: { sub: `user${i}`, email: `user${i}@example.com`, roles: ['user'] } } })

/** `count` messages per workload and round; the peak RSS is read over `memoryMessages` verify messages. */
export async function benchStdin(log: (line: string) => void = console.log, count = 100_000, memoryMessages = 1_000_000): Promise<{ rows: ThroughputRow[]; peakRssMb: number; memoryMessages: number }> {
  execFileSync('sh', ['scripts/start.sh', '--help'], { cwd: ROOT, stdio: 'ignore' }) // builds the bundle
  const tokens = makeTokens(count)
  const workloads: Array<[string, string[], Record<string, Record<string, string>>]> = [
    ['verify (distinct tokens)', tokens.map(verifyLine), {}],
    ['verify (one token, caches on)', tokens.map((_, i) => verifyLine(tokens[0]!, i)), { hallpass: { HALLPASS_VERIFY_CACHE: '1000' }, 'fast-jwt node': { FAST_JWT_CACHE: '1' } }],
    ['generate', Array.from({ length: count / 2 }, (_, i) => issueLine(i)), {}],
  ]
  const rows: ThroughputRow[] = []
  for (const [workload, lines, envs] of workloads) {
    const nodes = Object.entries(NODES).filter(([node]) => takesPart(workload, node))
    // Rounds alternate the nodes, so a noisy moment hits them all alike; the median counts.
    const rates = new Map<string, number[]>(nodes.map(([node]) => [node, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const [node, args] of round % 2 === 0 ? nodes : [...nodes].reverse()) {
        const result = await run(args, lines, envs[node] ?? {})
        rates.get(node)!.push(lines.length / result.seconds)
      }
    }
    for (const [node] of nodes) {
      const messagesPerSecond = median(rates.get(node)!)
      rows.push({ workload, node, messagesPerSecond })
      log(`${workload.padEnd(32)} ${node.padEnd(20)} ${Math.round(messagesPerSecond).toLocaleString('en').padStart(10)} msg/s (median of ${ROUNDS})`)
    }
  }
  const memoryTokens = makeTokens(10_000)
  const memory = await run(NODES.hallpass, Array.from({ length: memoryMessages }, (_, i) => verifyLine(memoryTokens[i % memoryTokens.length]!, i)))
  log(`peak RSS of the hallpass node over ${memoryMessages.toLocaleString('en')} verify messages: ${memory.peakRssMb.toFixed(0)} MB`)
  return { rows, peakRssMb: memory.peakRssMb, memoryMessages }
}

if (import.meta.main) await (process.argv.includes('--quick') ? benchStdin(console.log, 10_000, 100_000) : benchStdin())
