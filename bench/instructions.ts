// CPU instructions per verify message through whole stdin nodes, counted by valgrind: the same
// nodes as bench/stdin.ts, fed the same lines from a file. Wall time on this VM moves by a quarter
// within seconds, so two nodes a few percent apart trade places from run to run; an instruction
// count moves less (hallpass here: 68 300 to 69 400 a message in five runs, but 78 000 in two runs
// at one bad moment: V8's JIT and GC heuristics go by time too) and says how much work each node
// does per message.
// It does not see what instructions cost (cache misses, the pipe, the other core): the time
// goals stay in bench/stdin.ts, this is their context. Skipped where valgrind is not installed.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NODES, initLine, verifyLine } from './stdin.ts'
import { makeTokens, SECRET } from './tokens.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The verify nodes compared (bench/stdin.ts NODES). */
const COMPARED = ['hallpass', 'fast-jwt node', 'plain fast-jwt node', 'floor node (no checks)', 'echo node (floor)'] as const
/**
 * Two counted runs per node, of FEW and of MANY messages: a message's instructions are the
 * difference over the messages between them. A single count would include starting Node and
 * compiling the hot paths, which under valgrind is much of a run: hallpass counted 143 000 a
 * message between 2 000 and 6 000 messages, 72 000 between 5 000 and 20 000, 69 000 between
 * 20 000 and 50 000 (the fast-jwt node: 133 000, 85 000, 78 000).
 */
const FEW = 20_000
const MANY = 50_000
/** No valgrind run may take longer than this: under valgrind a node runs about 50 times slower. */
const RUN_TIMEOUT_MS = 300_000

export interface InstructionRow {
  node: string
  /** Instructions per message in steady state. */
  perMessage: number
}

export function hasValgrind(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0
}

/** valgrind's count of the instructions one node process executes over `feed` (its stdin). */
function countInstructions(args: readonly string[], feed: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const input = openSync(feed, 'r')
    const valgrind = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', '--smc-check=all-non-file', process.execPath, ...args]
    const child = spawn('valgrind', valgrind, { cwd: ROOT, env: { ...process.env, HALLPASS_SECRET: SECRET }, stdio: [input, 'ignore', 'pipe'], timeout: RUN_TIMEOUT_MS })
    closeSync(input)
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const count = /I\s+refs:\s+([\d,]+)/.exec(stderr)
      if (code !== 0 || count === null) reject(new Error(`valgrind ${args.join(' ')}: exit ${code}, no instruction count`))
      else resolve(Number(count[1]!.replaceAll(',', '')))
    })
  })
}

/** Runs `jobs` two at a time (two cores; a count does not depend on what else runs). */
async function twoAtATime<T>(jobs: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(jobs.length)
  let next = 0
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++
      results[i] = await jobs[i]!()
    }
  }
  await Promise.all([worker(), worker()])
  return results
}

export async function benchInstructions(log: (line: string) => void = console.log, few = FEW, many = MANY): Promise<{ rows: InstructionRow[]; few: number; many: number }> {
  execFileSync('sh', ['scripts/start.sh', '--help'], { cwd: ROOT, stdio: 'ignore' }) // builds the bundle
  const dir = mkdtempSync(join(tmpdir(), 'hallpass-instructions-'))
  try {
    const tokens = makeTokens(10_000)
    const feeds = [few, many].map((messages) => {
      const path = join(dir, `verify-${messages}.jsonl`)
      writeFileSync(path, [initLine(), ...Array.from({ length: messages }, (_, i) => verifyLine(tokens[i % tokens.length]!, i))].join('\n') + '\n')
      return path
    })
    const counts = await twoAtATime(COMPARED.flatMap((node) => feeds.map((feed) => () => countInstructions(NODES[node], feed))))
    const rows: InstructionRow[] = COMPARED.map((node, n) => {
      const perMessage = (counts[2 * n + 1]! - counts[2 * n]!) / (many - few)
      log(`${node.padEnd(28)} ${Math.round(perMessage).toLocaleString('en').padStart(9)} instructions a message`)
      return { node, perMessage }
    })
    return { rows, few, many }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  if (!hasValgrind()) throw new Error('bench/instructions.ts needs valgrind (Debian: apt-get install valgrind)')
  await (process.argv.includes('--quick') ? benchInstructions(console.log, 5_000, 15_000) : benchInstructions())
}
