// `npm run bench`: every benchmark in one run, one report. Prints the report (Markdown) to stdout and
// the progress to stderr; leaves the git tree as it was unless given `--write`, which rewrites
// BENCHMARKS.md and bench/chart.svg. Ratios compare results of this run only, except the HS256
// "not slower than before" goals, which read the previous report (BENCHMARKS.md at git HEAD).
//
//   npm run bench                        the full run, report on stdout
//   npm run bench -- --write             the same, and rewrite BENCHMARKS.md and bench/chart.svg
//   npm run bench -- --quick             fewer iterations, for development (not for the record)
//   npm run bench -- --only=node,workerd some of the parts: node, trusted, sweep, workerd, stdin, stores, memory, http
import { execFileSync, execSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { benchNodeCore, type Row } from './node-core.ts'
import { benchInstructions, hasValgrind } from './instructions.ts'
import { benchStdin, pairedRate } from './stdin.ts'
import { benchMemory, benchStores, floorRatios, median, type FloorSide, type PostgresFloorResult } from './store.ts'
import { benchSweep } from './sweep.ts'
import { benchTrusted } from './trusted.ts'
import { chart } from './chart.ts'
import { ASYMMETRIC } from './tokens.ts'
import { pairedRatio } from './workerd.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Progress goes to stderr: stdout carries the report alone. */
const log = (line: string) => process.stderr.write(`${line}\n`)

const PARTS = ['node', 'trusted', 'sweep', 'workerd', 'stdin', 'instructions', 'stores', 'memory', 'http'] as const
type Part = (typeof PARTS)[number]
const ALGS = ['HS256', ...ASYMMETRIC] as const
/** How much slower than the previous report HS256 verify may measure and still count as "not slower": run-to-run noise. */
const NOISE = 1.1

interface HttpRow {
  target: string
  requestsPerSecond: number
  p50Ms?: number
  p99Ms?: number
}

interface Args {
  write: boolean
  quick: boolean
  only: ReadonlySet<Part>
}

function parseCommandLine(): Args {
  const { values } = parseArgs({
    options: { write: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false }, only: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(`npm run bench [-- --write] [-- --quick] [-- --only=${PARTS.join(',')}]\n`)
    process.exit(0)
  }
  const only = new Set<Part>()
  for (const name of values.only === undefined ? PARTS : values.only.split(',').map((s) => s.trim())) {
    if (!(PARTS as readonly string[]).includes(name)) throw new Error(`--only: unknown part "${name}" (parts: ${PARTS.join(', ')})`)
    only.add(name as Part)
  }
  if (values.write && values.quick) throw new Error('--write records the reference numbers: run it without --quick')
  if (values.write && only.size < PARTS.length) throw new Error('--write rewrites the whole report: run it without --only')
  return { write: values.write, quick: values.quick, only }
}

/** Runs one part; a part that fails is reported, the others still run. */
async function part<T>(name: string, run: () => Promise<T>): Promise<T | string> {
  log(`\n## ${name}`)
  try {
    return await run()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    log(`${name} failed: ${reason}`)
    return `failed: ${reason}`
  }
}

function version(name: string): string {
  try {
    return JSON.parse(readFileSync(`${ROOT}/node_modules/${name}/package.json`, 'utf8')).version
  } catch {
    return '?'
  }
}

const us = (ns: number) => (ns / 1000).toFixed(2)
const find = (rows: Row[], alg: string, group: string, name: string) => rows.find((r) => r.alg === alg && r.group === group && r.name.startsWith(name))?.ns

function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  return numerator === undefined || denominator === undefined ? undefined : numerator / denominator
}

function goal(label: string, value: number | undefined, target: string, met: (v: number) => boolean, unit = '×'): string {
  if (value === undefined) return `| ${label} | not measured | ${target} | — |`
  return `| ${label} | ${value.toFixed(2)}${unit} | ${target} | ${met(value) ? 'met' : '**not met**'} |`
}

/** A row of the goals table that is no goal: a figure to read the others by. */
function context(label: string, value: number | undefined, note: string, unit = '×'): string {
  return `| (context) ${label} | ${value === undefined ? 'not measured' : `${value.toFixed(2)}${unit}`} | ${note} | — |`
}

function coreTable(rows: Row[], baselineName: (group: string) => string): string {
  const lines = ['| alg | group | implementation | µs/op | relative to hallpass |', '| --- | --- | --- | ---: | ---: |']
  for (const row of rows) {
    const baseNs = find(rows, row.alg, row.group, baselineName(row.group))
    lines.push(`| ${row.alg} | ${row.group} | ${row.name} | ${us(row.ns)} | ${baseNs === undefined ? '' : `${(row.ns / baseNs).toFixed(2)}×`} |`)
  }
  return lines.join('\n')
}

/** The HS256 verify figures of the previous report, the baseline of "not slower than before". */
interface Baseline {
  /** Where it was read: BENCHMARKS.md at git HEAD, or in the working tree when git has none. */
  source: string
  run: string
  nodeHallpass: number | undefined
  nodeFastJwt: number | undefined
  workerdHallpass: number | undefined
  workerdJose: number | undefined
}

/** The rows of the first table under `## heading`, each keyed by the table's column names. */
function tableUnder(text: string, heading: string): Array<Record<string, string>> {
  const start = text.indexOf(`\n## ${heading}`)
  if (start < 0) return []
  const end = text.indexOf('\n## ', start + 1)
  const lines = text.slice(start, end < 0 ? undefined : end).split('\n').filter((line) => line.startsWith('|'))
  const cells = (line: string) => line.split('|').slice(1, -1).map((cell) => cell.trim())
  const names = cells(lines[0] ?? '')
  return lines.slice(2).map((line) => Object.fromEntries(cells(line).map((cell, i) => [names[i] ?? String(i), cell])))
}

/** µs/op of the HS256 verify row of `name` (tables before the algorithms had no `alg` column: all HS256). */
function hs256Verify(rows: Array<Record<string, string>>, name: string): number | undefined {
  const row = rows.find((r) => (r.alg ?? 'HS256') === 'HS256' && r.group === 'verify' && r.implementation?.startsWith(name))
  const value = Number(row?.['µs/op'])
  return row === undefined || !Number.isFinite(value) ? undefined : value * 1000
}

function readBaseline(): Baseline | undefined {
  let text: string
  let source: string
  try {
    text = execFileSync('git', ['show', 'HEAD:BENCHMARKS.md'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    source = 'BENCHMARKS.md at git HEAD'
  } catch {
    try {
      text = readFileSync(`${ROOT}/BENCHMARKS.md`, 'utf8')
      source = 'BENCHMARKS.md in the working tree'
    } catch {
      return undefined
    }
  }
  const node = tableUnder(text, 'Node: core verify and sign')
  const workerd = tableUnder(text, 'workerd: core verify and sign')
  return {
    source,
    run: /\*\*Run\*\*: (\S+)/.exec(text)?.[1]?.slice(0, 10) ?? 'date unknown',
    nodeHallpass: hs256Verify(node, 'hallpass (node:crypto'),
    nodeFastJwt: hs256Verify(node, 'fast-jwt'),
    workerdHallpass: hs256Verify(workerd, 'hallpass'),
    workerdJose: hs256Verify(workerd, 'jose'),
  }
}

/**
 * HS256 verify against the previous report, two ways: the µs themselves (machine and load must
 * match), and hallpass's ratio to a peer in each run, which a slower machine or a busier moment
 * shifts less.
 */
function notSlowerGoals(runtime: string, nowHallpass: number | undefined, nowPeer: number | undefined, beforeHallpass: number | undefined, beforePeer: number | undefined, peer: string, baseline: Baseline): string[] {
  const from = `${baseline.source}, run ${baseline.run}`
  const target = `≤ ${NOISE.toFixed(2)}× (run-to-run noise)`
  const beforeRatio = ratio(beforePeer, beforeHallpass)
  const nowRatio = ratio(nowPeer, nowHallpass)
  return [
    goal(`${runtime} HS256 verify not slower than before: ${nowHallpass === undefined ? '?' : us(nowHallpass)} µs now / ${beforeHallpass === undefined ? '?' : us(beforeHallpass)} µs in ${from}`, ratio(nowHallpass, beforeHallpass), target, (v) => v <= NOISE),
    goal(`${runtime} HS256 verify not slower than before, measured against ${peer} in each run (${beforeRatio?.toFixed(2) ?? '?'}× before, ${nowRatio?.toFixed(2) ?? '?'}× now): before / now`, ratio(beforeRatio, nowRatio), target, (v) => v <= NOISE),
  ]
}

const NODE_SIDE: FloorSide = 'hallpass stdin node'
const FLOOR: FloorSide = 'floor (prepared)'
const UNPREPARED: FloorSide = 'floor, unprepared'

/** The two PostgreSQL goals against the floor of one statement (issue 22), and the context that reads them. */
function floorGoals(floor: PostgresFloorResult | string): string[] {
  if (typeof floor === 'string') {
    return [goal('stdin node refresh with postgres / the one-statement floor', undefined, '≥ 0.5×', () => false), goal('stdin node generate with postgres / the one-row INSERT floor', undefined, '≥ 0.7×', () => false)]
  }
  const from = `postgres.js, ${floor.connections} connections, ${floor.inFlight.toLocaleString('en')} in flight`
  const paired = (workload: 'generate' | 'refresh', side: FloorSide, other: FloorSide) => {
    const ratios = floorRatios(floor, workload, side, other)
    return { value: median(ratios), spread: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} over ${ratios.length} batches` }
  }
  const refresh = paired('refresh', NODE_SIDE, FLOOR)
  const generate = paired('generate', NODE_SIDE, FLOOR)
  const refreshAsSent = paired('refresh', NODE_SIDE, UNPREPARED)
  const generateAsSent = paired('generate', NODE_SIDE, UNPREPARED)
  return [
    goal(`stdin node refresh with postgres / the one-statement floor (one-row conditional UPDATE … RETURNING, ${from}; batch by batch, ${refresh.spread})`, refresh.value, '≥ 0.5×', (v) => v >= 0.5),
    goal(`stdin node generate with postgres / the one-row INSERT floor (${from}; batch by batch, ${generate.spread})`, generate.value, '≥ 0.7×', (v) => v >= 0.7),
    context('PostgreSQL floor: refresh\'s UPDATE unprepared / prepared', paired('refresh', UNPREPARED, FLOOR).value, 'what planning it again for every statement would cost (the store prepares it)'),
    context('PostgreSQL floor: the INSERT unprepared / prepared', paired('generate', UNPREPARED, FLOOR).value, 'the same for generate'),
    context(`stdin node refresh with postgres / the floor unprepared (${refreshAsSent.spread})`, refreshAsSent.value, 'the node beside a client that plans every statement'),
    context(`stdin node generate with postgres / the floor unprepared (${generateAsSent.spread})`, generateAsSent.value, 'the same for generate (its INSERT has ON CONFLICT too)'),
  ]
}

/** The rates, CPU and ratios of the floor comparison, one row per workload and side. */
function floorTable(floor: PostgresFloorResult | string): string {
  if (typeof floor === 'string') return floor
  const lines = [
    '| workload | side | messages/s (median) | slowest batch | fastest batch | PostgreSQL CPU a message | client process CPU a message | relative to the floor, batch by batch |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  const rate = (value: number) => Math.round(value).toLocaleString('en')
  const cpu = (values: number[]) => (values.length === 0 ? 'not read' : `${median(values).toFixed(0)} µs`)
  for (const row of floor.rows) {
    const relative = median(floorRatios(floor, row.workload, row.side, FLOOR))
    lines.push(`| ${row.workload} | ${row.side} | ${rate(median(row.rates))} | ${rate(Math.min(...row.rates))} | ${rate(Math.max(...row.rates))} | ${cpu(row.serverCpuUs)} | ${cpu(row.clientCpuUs)} | ${relative.toFixed(2)}× |`)
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  let args: Args
  try {
    args = parseCommandLine()
  } catch (error) {
    log(`npm run bench: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(2)
  }
  const started = new Date()
  const skipped = 'not run (`--only`)'
  const baseline = readBaseline()
  const node = args.only.has('node') ? await part('Node: core verify and sign', () => benchNodeCore(log, { quick: args.quick })) : skipped
  const workerd = args.only.has('workerd') ? await part('workerd: core verify and sign', async () => (await import('./workerd.ts')).benchWorkerd(log, { quick: args.quick })) : skipped
  const trusted = args.only.has('trusted') ? await part('Node: trusted-issuer verify', () => benchTrusted(log, { quick: args.quick })) : skipped
  const sweep = args.only.has('sweep') ? await part('Node: the memory store at a million families', () => benchSweep(log, args.quick ? 100_000 : 1_000_000)) : skipped
  const stdin = args.only.has('stdin') ? await part('stdin node: whole processes', () => (args.quick ? benchStdin(log, 4_000, 100_000, 5) : benchStdin(log))) : skipped
  const instructions = !args.only.has('instructions')
    ? skipped
    : hasValgrind()
      ? await part('stdin node: instructions a message', () => (args.quick ? benchInstructions(log, 5_000, 15_000) : benchInstructions(log)))
      : 'not run (no valgrind on PATH)'
  const stores = args.only.has('stores') ? await part('stdin node: stores', () => benchStores(log, { quick: args.quick })) : skipped
  const memory = args.only.has('memory') ? await part('stdin node: peak RSS as it is fed', () => benchMemory(log, args.quick ? 100_000 : 1_000_000)) : skipped
  const http = args.only.has('http')
    ? await part('edge worker over HTTP', async () => (await import('./http.ts')).benchHttp(log, args.quick ? { seconds: 1, warmupSeconds: 0.5 } : {}) as Promise<HttpRow[]>)
    : skipped

  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const machine = `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${execSync('uname -sr').toString().trim()}`
  const versions = ['jose', 'fast-jwt', 'jsonwebtoken', 'hono', '@tsndr/cloudflare-worker-jwt', 'wrangler', 'workerd', 'mitata'].map((n) => `${n} ${version(n)}`).join(', ')

  const goals: string[] = ['| goal | this run | target | verdict |', '| --- | ---: | --- | --- |']
  if (typeof node !== 'string') {
    for (const alg of ALGS) {
      goals.push(goal(`Node ${alg} verify vs fast-jwt uncached (fast-jwt time / hallpass time)`, ratio(find(node, alg, 'verify', 'fast-jwt'), find(node, alg, 'verify', 'hallpass (node:crypto')), '≥ 1.0×', (v) => v >= 1))
    }
    for (const kib of [1, 8]) {
      const group = `verify, ${kib} KiB of claims`
      goals.push(goal(`Node HS256 verify with ${kib} KiB of claims: hallpass time / fast-jwt uncached time`, ratio(find(node, 'HS256', group, 'hallpass (node:crypto'), find(node, 'HS256', group, 'fast-jwt')), '≤ 0.8×', (v) => v <= 0.8))
    }
    goals.push(goal('Node HS256 verify, caches on both sides, vs fast-jwt cached', ratio(find(node, 'HS256', 'verify (cached)', 'fast-jwt'), find(node, 'HS256', 'verify (cached)', 'hallpass (node:crypto')), '≥ 1.0×', (v) => v >= 1))
    if (baseline !== undefined) {
      goals.push(...notSlowerGoals('Node', find(node, 'HS256', 'verify', 'hallpass (node:crypto'), find(node, 'HS256', 'verify', 'fast-jwt'), baseline.nodeHallpass, baseline.nodeFastJwt, 'fast-jwt', baseline))
    }
  }
  if (typeof workerd !== 'string') {
    // Paired round by round (bench/workerd.ts pairedRatio): the machine's speed moves within seconds.
    const hp = find(workerd, 'HS256', 'verify', 'hallpass')
    const local = 'hallpass (crypto.subtle'
    goals.push(goal('workerd HS256 verify cost / bare crypto.subtle.verify', pairedRatio(workerd, 'HS256', local, 'limit: crypto.subtle.verify'), '≤ 1.5×', (v) => v <= 1.5))
    goals.push(goal('workerd HS256 verify vs hono/jwt (hono time / hallpass time)', pairedRatio(workerd, 'HS256', 'hono/jwt', local), '≥ 2×', (v) => v >= 2))
    goals.push(goal('workerd HS256 verify vs jose (jose time / hallpass time)', pairedRatio(workerd, 'HS256', 'jose', local), '≥ 2×', (v) => v >= 2))
    goals.push(context('workerd HS256 verify cost / the no-checks floor', pairedRatio(workerd, 'HS256', local, 'limit + decode'), 'as close to 1× as it gets'))
    goals.push(context('workerd HS256: jose time / the no-checks floor, the most any verifier could be ahead of jose', pairedRatio(workerd, 'HS256', 'jose', 'limit + decode'), 'below 2× the goal above is out of reach'))
    for (const alg of ASYMMETRIC) {
      goals.push(goal(`workerd ${alg} verify vs jose (jose time / hallpass time)`, pairedRatio(workerd, alg, 'jose', local), '≥ 1.5×', (v) => v >= 1.5))
      goals.push(goal(`workerd ${alg}: trusted-issuer verify / local-key verify`, pairedRatio(workerd, alg, 'hallpass, trusted issuer', local), '≤ 1.1×', (v) => v <= 1.1))
      goals.push(context(`workerd ${alg}: jose time / the no-checks floor, the most any verifier could be ahead of jose`, pairedRatio(workerd, alg, 'jose', 'limit + decode'), 'below 1.5× the goal above is out of reach'))
    }
    if (baseline !== undefined) {
      goals.push(...notSlowerGoals('workerd', hp, find(workerd, 'HS256', 'verify', 'jose'), baseline.workerdHallpass, baseline.workerdJose, 'jose', baseline))
    }
  }
  if (typeof stdin !== 'string') {
    // Paired batch by batch (bench/stdin.ts pairedRate): hallpass's rate over the peer's.
    const ahead = (workload: string, node: string) => pairedRate(stdin.rows, workload, 'hallpass', node)
    const verify = 'verify (distinct tokens)'
    const floor = 'floor node (no checks)'
    goals.push(goal('stdin node verify throughput vs the fast-jwt node (batched replies as hallpass writes them)', ahead(verify, 'fast-jwt node'), '≥ 1.15×', (v) => v >= 1.15))
    goals.push(context('stdin node verify: the floor node (no checks) vs the fast-jwt node, the most any verifier could be ahead of it', pairedRate(stdin.rows, verify, floor, 'fast-jwt node'), 'below 1.15× the goal above is out of reach'))
    goals.push(goal('stdin node verify throughput vs the plain fast-jwt node (readline, JSON, batched replies)', ahead(verify, 'plain fast-jwt node'), '≥ 1.4×', (v) => v >= 1.4))
    goals.push(context('stdin node verify: the floor node (no checks) vs the plain fast-jwt node, the most any verifier could be ahead of it', pairedRate(stdin.rows, verify, floor, 'plain fast-jwt node'), 'below 1.4× the goal above is out of reach'))
    goals.push(context('stdin node verify: hallpass throughput / the floor node\'s', pairedRate(stdin.rows, verify, 'hallpass', floor), 'as close to 1× as it gets'))
    goals.push(goal('stdin node generate throughput vs the hand-written node:crypto generate node', ahead('generate', 'hand-written generate node'), '≥ 1.0×', (v) => v >= 1))
    goals.push(goal(`stdin node peak RSS over ${stdin.memoryMessages.toLocaleString('en')} messages`, stdin.peakRssMb, '< 100 MB', (v) => v < 100, ' MB'))
  }
  if (typeof instructions !== 'string') {
    const count = (node: string) => instructions.rows.find((r) => r.node === node)?.perMessage
    const hp = count('hallpass')
    goals.push(context('stdin node verify: instructions a message, the fast-jwt node / hallpass (valgrind)', ratio(count('fast-jwt node'), hp), 'the work behind the first throughput goal, without the noise'))
    goals.push(context('stdin node verify: instructions a message, the plain fast-jwt node / hallpass (valgrind)', ratio(count('plain fast-jwt node'), hp), 'the same for the second'))
    goals.push(context('stdin node verify: instructions a message, hallpass / the floor node (valgrind)', ratio(hp, count('floor node (no checks)')), 'what hallpass does beyond the least a verify node does'))
  }
  if (typeof trusted !== 'string') {
    for (const alg of ASYMMETRIC) {
      const cost = (name: string) => trusted.find((r) => r.alg === alg && r.name.startsWith(name) && r.name.includes('node:crypto'))?.ns
      goals.push(goal(`Node ${alg}: trusted-issuer verify / local-key verify (node:crypto)`, ratio(cost('trusted issuer'), cost('local key')), '≤ 1.1×', (v) => v <= 1.1))
    }
  }
  if (typeof sweep !== 'string') {
    const at = `${sweep.families.toLocaleString('en')} families`
    // The machine's own stalls hit the small store's calls as often: only a pause beyond them is the store's.
    const allowed = Math.max(2, sweep.control.maxWithoutGcMs)
    goals.push(goal(`memory store at ${at}: longest call without a GC in it (${sweep.over2MsWithoutGc} over 2 ms), beside the same calls on ${sweep.control.families.toLocaleString('en')} families (longest ${sweep.control.maxWithoutGcMs.toFixed(2)} ms, ${sweep.control.over2MsWithoutGc} over 2 ms)`, sweep.maxWithoutGcMs, `≤ 2 ms, or no longer than at ${sweep.control.families.toLocaleString('en')} families`, (v) => v <= allowed, ' ms'))
    goals.push(context(`memory store at ${at}: longest call, GC included (p99.9 ${sweep.p999Ms.toFixed(3)} ms; ${sweep.over2Ms} of ${sweep.calls.toLocaleString('en')} calls over 2 ms)`, sweep.maxMs, 'V8 collecting a heap of a million entries', ' ms'))
  }
  if (typeof stores !== 'string') {
    const rate = (store: string, workload: string) => stores.rows.find((r) => r.store === store && r.workload === workload && r.nodes === 1)?.messagesPerSecond
    for (const store of ['sqlite', 'postgres']) {
      goals.push(goal(`stdin node verify with ${store} / with memory (throughput, nodes side by side, batch by batch)`, stores.verifyVsMemory.get(store), '≥ 0.9×', (v) => v >= 0.9))
      goals.push(context(`stdin node generate with ${store} / with memory`, ratio(rate(store, 'generate'), rate('memory', 'generate')), 'every reply waits for its commit'))
      goals.push(context(`stdin node refresh with ${store} / with memory`, ratio(rate(store, 'refresh'), rate('memory', 'refresh')), 'every reply waits for its commit'))
    }
    const scale = (nodes: number) => stores.rows.find((r) => r.workload === 'refresh, nodes at once' && r.nodes === nodes)?.messagesPerSecond
    goals.push(context('PostgreSQL refresh, 4 nodes / 1 node (total throughput)', ratio(scale(4), scale(1)), 'does it scale with nodes?'))
    goals.push(...floorGoals(stores.postgresFloor))
  }
  if (typeof memory !== 'string') {
    for (const row of memory) goals.push(goal(`stdin node peak RSS, ${row.messages.toLocaleString('en')} verify messages from ${row.feed}`, row.peakRssMb, '< 100 MB', (v) => v < 100, ' MB'))
  }
  if (typeof http !== 'string') {
    const rps = (prefix: string) => http.find((r) => r.target.startsWith(prefix))?.requestsPerSecond
    goals.push(goal('worker HTTP: protected route vs the hono/jwt worker', ratio(rps('hallpass/hono'), rps('hono/jwt')), '≥ 1.0×', (v) => v >= 1))
  }

  const nodeSection = typeof node === 'string' ? node : coreTable(node, (g) => (g === 'sign' ? 'hallpass' : 'hallpass (node:crypto'))
  const workerdSection = typeof workerd === 'string' ? workerd : coreTable(workerd, () => 'hallpass')
  let stdinSection: string
  if (typeof stdin === 'string') stdinSection = stdin
  else {
    const lines = ['| workload | node | messages/s | relative to hallpass, round by round |', '| --- | --- | ---: | ---: |']
    for (const row of stdin.rows) {
      lines.push(`| ${row.workload} | ${row.node} | ${Math.round(row.messagesPerSecond).toLocaleString('en')} | ${row.relativeToHallpass.toFixed(2)}× |`)
    }
    lines.push('', `Peak RSS of the hallpass node over ${stdin.memoryMessages.toLocaleString('en')} verify messages: **${stdin.peakRssMb.toFixed(0)} MB**.`)
    stdinSection = lines.join('\n')
  }
  let instructionSection: string
  if (typeof instructions === 'string') instructionSection = instructions
  else {
    const hp = instructions.rows.find((r) => r.node === 'hallpass')!.perMessage
    const lines = ['| node | instructions a message | relative to hallpass |', '| --- | ---: | ---: |']
    for (const row of instructions.rows) lines.push(`| ${row.node} | ${Math.round(row.perMessage).toLocaleString('en')} | ${(row.perMessage / hp).toFixed(2)}× |`)
    instructionSection = lines.join('\n')
  }
  const trustedSection = typeof trusted === 'string' ? trusted : coreTable(trusted, () => 'local key')
  let storeSection: string
  if (typeof stores === 'string') storeSection = stores
  else {
    const lines = ['| store | workload | nodes | messages/s | relative to memory |', '| --- | --- | ---: | ---: | ---: |']
    for (const row of stores.rows) {
      const base = stores.rows.find((r) => r.store === 'memory' && r.workload === row.workload)?.messagesPerSecond
      lines.push(`| ${row.store} | ${row.workload} | ${row.nodes} | ${Math.round(row.messagesPerSecond).toLocaleString('en')} | ${base === undefined ? '' : `${(row.messagesPerSecond / base).toFixed(2)}×`} |`)
    }
    storeSection = lines.join('\n')
  }
  const floorSection = floorTable(typeof stores === 'string' ? stores : stores.postgresFloor)
  let memorySection: string
  if (typeof memory === 'string') memorySection = memory
  else {
    const lines = ['| fed from | messages | peak RSS | seconds |', '| --- | ---: | ---: | ---: |']
    for (const row of memory) lines.push(`| ${row.feed} | ${row.messages.toLocaleString('en')} | ${row.peakRssMb.toFixed(0)} MB | ${row.seconds.toFixed(1)} |`)
    memorySection = lines.join('\n')
  }
  let httpSection: string
  if (typeof http === 'string') httpSection = http
  else {
    const lines = ['| target | requests/s | p50 ms | p99 ms |', '| --- | ---: | ---: | ---: |']
    for (const row of http) lines.push(`| ${row.target} | ${Math.round(row.requestsPerSecond).toLocaleString('en')} | ${row.p50Ms ?? ''} | ${row.p99Ms ?? ''} |`)
    httpSection = lines.join('\n')
  }

  const mode = args.quick
    ? `quick (\`--quick\`: fewer iterations and tokens; numbers for development, not for the record)${args.only.size < PARTS.length ? `; parts: ${[...args.only].join(', ')}` : ''}`
    : `full${args.only.size < PARTS.length ? `; parts: ${[...args.only].join(', ')}` : ''}`
  const report = `# Benchmarks

Regenerate with \`npm run bench -- --write\` (several minutes; it rewrites this file and
\`bench/chart.svg\`). Plain \`npm run bench\` runs the same and prints this report to stdout (progress
on stderr), leaving the git tree untouched. \`npm run bench -- --quick\` takes fewer iterations, for
development; \`-- --only=node,workerd\` runs some of the parts (${PARTS.join(', ')}); neither
goes with \`--write\`. Every number below comes from one run on one machine; compare ratios within
the run, not absolute numbers across machines. No timing is asserted in \`npm test\`.

- **Run**: ${started.toISOString()}
- **Mode**: ${mode}
- **Machine**: ${machine}
- **Versions**: ${versions}

## Goals

${goals.join('\n')}

Where a goal is missed, look at the floors measured in the same run. In workerd no verify can cost
less than the row "limit + decode + JSON.parse (no checks)": split the token, base64url-decode and
\`JSON.parse\` the payload, one \`crypto.subtle.verify\`, nothing checked. For HS256 that floor alone
is about twice a bare \`crypto.subtle.verify\` there, so "≤ 1.5× crypto.subtle.verify" is out of
reach for any verifier that reads the claims; the context row shows how far hallpass is above the
floor. No verifier can be further ahead of jose than jose's time over that floor: the context row
under each algorithm's jose goal (for ES256, EdDSA and RS256 the signature check itself is most of
every verifier's time; for HS256, the floor's decoding, parsing and encoding of the signing input
are). The same holds in Node, where fast-jwt and hallpass make the same \`node:crypto\` call
("limit: node:crypto verify"). The stdin nodes share a floor too: the floor node verifies as little
as a node can (one HMAC, decode and parse the payload, the reply; nothing checked) on the peers'
own line handling, so no node can be further ahead of a peer than the floor node is: the context
rows under the two stdin verify goals. hallpass's generate also signs a refresh token and records a
refresh family per message, which the fast-jwt node does not. On PostgreSQL the floor is the
statement itself, sent from postgres.js as fast as the node's pool and bound on messages in flight
allow, prepared as the store prepares them; its context rows show the same floor unprepared: what
planning every statement again would cost the server and the client.

"Not slower than before" compares HS256 verify with ${baseline === undefined ? 'the previous report (none was found)' : `${baseline.source} (run ${baseline.run})`}, both in
µs and as a ratio to a peer measured in each run; a ratio of ${NOISE.toFixed(2)}× is allowed for run-to-run noise.

## Method

- **Node core** (\`bench/node-core.ts\`, mitata, one process): mean time per call over ≥ ${args.quick ? '0.05' : '0.5'} s of CPU
  per case. Verify cycles through ${args.quick ? 1024 : 4096} distinct valid tokens so no cache can stand in for
  verifying; "cached" verifies one token again and again with each library's cache on. fast-jwt
  verifies with \`cache: false\` everywhere but the cached row. Every verifier must accept the
  tokens before it is timed. hallpass runs with the node:crypto provider the stdin node uses, and
  with the WebCrypto default. "issue" in hallpass signs an access token **and** an HS256 refresh
  token and records the refresh family; the peers sign one token.
- **Algorithms**: HS256 under one secret; ES256, EdDSA (Ed25519) and RS256 (2048-bit) under keys
  made by hallpass's \`generateJwk\`, tokens signed with node:crypto (in workerd, with
  \`crypto.subtle\`) and carrying the key's \`kid\`. Each library gets the key in the form it takes
  best, imported once: hallpass a JWK Set (\`keys\`, with \`refreshSecret\` for its refresh tokens),
  fast-jwt PEM (it makes a KeyObject of it once), jose and hono/jwt a CryptoKey (for HS256, hono/jwt
  gets the secret string, as its middleware does). jsonwebtoken and @tsndr/cloudflare-worker-jwt
  are measured for HS256 only.
- **workerd** (\`bench/workerd.ts\`): workerd's clock does not advance during pure compute, so a
  bench worker runs N operations per request and this side times requests with n = N and n = 0
  from outside: (median(N) − median(0)) / N over ${args.quick ? 3 : 15} rounds, N chosen per case for about
  80 ms of work. A goal's ratio is paired: the worker lists its two cases next to each other, each
  round gives one ratio of the two (each request less its own n = 0 request), and the goal takes the
  median of those.
- **stdin node** (\`bench/stdin.ts\`): whole processes fed over pipes. The nodes of a workload run
  side by side, and batches of ${args.quick ? '4 000' : '10 000'} messages (half as many for generate) go to one
  after the other, ${args.quick ? 5 : 41} times after ${2} warm-up batches, the order alternating; each batch is
  timed from its first message to its last reply. Verify tokens are distinct within a batch. The
  peers: the same protocol node built on fast-jwt, the plain fast-jwt node (readline), a
  hand-written node:crypto generate node, the floor node (verify with nothing checked) and an echo
  node (JSON parse and reply, no crypto). A rate is the median over the batches; a ratio is taken
  batch by batch (each peer's batch against the hallpass batch beside it in time), then the
  median: this machine's speed moves by a quarter within seconds. Peak RSS is VmHWM from /proc.
- **instructions** (\`bench/instructions.ts\`): the verify nodes above under valgrind (cachegrind,
  no cache simulation), fed ${args.quick ? '5 000 and 15 000' : '20 000 and 50 000'} distinct verify messages from a file; a message's count is the
  difference between the two runs over the messages between them (starting Node and compiling the
  hot paths drop out). A count moves by a few percent where wall time moves by a quarter; it leaves
  out what an instruction costs (cache misses, the kernel's side of the pipe), so it is context
  for the throughput goals, not a goal.
- **trusted issuers** (\`bench/trusted.ts\`): \`Hallpass.verify\` of a trusted issuer's token (its JWK
  Set in memory: the steady state) against a token of the same algorithm under a local key.
- **memory store** (\`bench/sweep.ts\`): ${args.quick ? '100 000' : 'a million'} live families, a tenth of them expiring
  part way; 200 000 calls alternating createFamily and rotateFamily, each timed, and each followed
  by the same call on a store of a thousand families, timed too (this VM stops a thread for
  milliseconds now and then, in any call: what the small store's calls show of that is the
  machine's, not the store's size); calls during which V8 reported a garbage collection are told
  apart. One JS Map of a million entries rehashes
  them all when it grows past 2^20 (about 150 ms in one \`set\`): the store shards its maps.
- **stores** (\`bench/store.ts\`): one stdin node per measure on \`memory\`, a fresh SQLite file and
  a fresh database on a throwaway PostgreSQL cluster (Debian's server, default durability),
  ${args.quick ? '5 000' : '40 000'} messages, the median of ${args.quick ? 1 : 3}; "refresh, nodes at once" runs 1, 2 and 4 nodes
  on one database refreshing ${args.quick ? '2 000' : '10 000'} families each, total throughput. The verify goals compare
  the stores paired: one node per store up at once, batches of ${args.quick ? '2 000' : '10 000'} distinct tokens to one
  after the other (${args.quick ? 3 : 11} timed after 2 warm-up batches), the median of the ratios batch by batch.
- **PostgreSQL floor** (\`bench/postgres-floor.ts\`, \`bench/store.ts\`): what PostgreSQL and postgres.js
  alone take for the statement of a generate and of a refresh, on the same cluster and database as
  a stdin node (the node makes the schema: the floor writes its very table and indexes), in the
  bench's own process: postgres.js over the node's pool less the listening connection, as many
  statements in flight as the node lets itself have messages in flight (\`MAX_IN_FLIGHT\` in
  src/node/serve.ts), each answer sending the next. generate's floor is a one-row INSERT of a new family of the
  columns and sizes hallpass writes; refresh's, the store's conditional UPDATE … RETURNING, one row
  per family, of a family made at least a second before (it moves the indexed \`expires_at\`, as a
  refresh does). The floor's statements are prepared, as the store's are; the same unprepared
  (\`sql.unsafe\`'s default) is context. Each round sends
  ${args.quick ? '2 000' : '10 000'} generates to the node and as many INSERTs from the floor, then refreshes those families and
  rotates the floor's rows, the order of the sides alternating; ${args.quick ? 3 : 11} rounds timed after 2 warm-up rounds, the node
  up throughout. A ratio is the median of the ratios batch by batch. CPU a message is read from
  /proc: PostgreSQL's processes, and the process that talks to it (the node; for the floor, this one;
  the bench feeding the node is not counted).
- **peak RSS** (\`bench/store.ts\`): VmHWM of the node's process read from /proc every 20 ms while a
  million verify messages come from a file, from \`cat\` at full speed, and to a reader that takes
  its replies 64 KiB at a time, 1 ms apart.
- **edge worker over HTTP** (\`bench/http.ts\`): load from 127.0.0.1 against \`wrangler dev\`, bounded
  in time and connections.

![verify cost by library](bench/chart.svg)

## Node: core verify and sign

${nodeSection}

## workerd: core verify and sign

${workerdSection}

## Node: a trusted issuer's token against a local key of the same algorithm

${trustedSection}

## stdin node: messages per second through whole processes

${stdinSection}

## stdin node: instructions a message (valgrind)

${instructionSection}

## stdin node on each store

${storeSection}

## stdin node on PostgreSQL beside its floor

${floorSection}

## stdin node: peak RSS as it is fed

${memorySection}

## Edge worker over HTTP

${httpSection}
`
  process.stdout.write(report)
  if (args.write) {
    writeFileSync(`${ROOT}/bench/chart.svg`, chart(typeof node === 'string' ? [] : node, typeof workerd === 'string' ? [] : workerd))
    writeFileSync(`${ROOT}/BENCHMARKS.md`, report)
    log('\nwrote BENCHMARKS.md and bench/chart.svg')
  } else {
    log('\nBENCHMARKS.md and bench/chart.svg left as they are (`npm run bench -- --write` rewrites them)')
  }
  log(goals.join('\n'))
}

await main()
