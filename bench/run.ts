// `npm run bench`: every benchmark in one run, one report. Prints the tables and rewrites
// BENCHMARKS.md and bench/chart.svg. Ratios compare results of this run only.
import { execSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { benchNodeCore, type Row } from './node-core.ts'
import { benchStdin } from './stdin.ts'
import { chart } from './chart.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const log = (line: string) => console.log(line)

interface HttpRow {
  target: string
  requestsPerSecond: number
  p50Ms?: number
  p99Ms?: number
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
const find = (rows: Row[], group: string, name: string) => rows.find((r) => r.group === group && r.name.startsWith(name))?.ns

function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  return numerator === undefined || denominator === undefined ? undefined : numerator / denominator
}

function goal(label: string, value: number | undefined, target: string, met: (v: number) => boolean, unit = '×'): string {
  if (value === undefined) return `| ${label} | not measured | ${target} | — |`
  return `| ${label} | ${value.toFixed(2)}${unit} | ${target} | ${met(value) ? 'met' : '**not met**'} |`
}

function coreTable(rows: Row[], baselineName: (group: string) => string | undefined): string {
  const lines = ['| group | implementation | µs/op | relative to hallpass |', '| --- | --- | ---: | ---: |']
  for (const row of rows) {
    const base = baselineName(row.group)
    const baseNs = base === undefined ? undefined : find(rows, row.group, base)
    lines.push(`| ${row.group} | ${row.name} | ${us(row.ns)} | ${baseNs === undefined ? '' : `${(row.ns / baseNs).toFixed(2)}×`} |`)
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const started = new Date()
  const node = await part('Node: core verify and sign', () => benchNodeCore(log))
  const workerd = await part('workerd: core verify and sign', async () => (await import('./workerd.ts')).benchWorkerd(log))
  const stdin = await part('stdin node: whole processes', () => benchStdin(log))
  const http = await part('edge worker over HTTP', async () => (await import('./http.ts')).benchHttp(log) as Promise<HttpRow[]>)

  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const machine = `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${execSync('uname -sr').toString().trim()}`
  const versions = ['jose', 'fast-jwt', 'jsonwebtoken', 'hono', '@tsndr/cloudflare-worker-jwt', 'wrangler', 'workerd', 'mitata'].map((n) => `${n} ${version(n)}`).join(', ')

  const goals: string[] = ['| goal | this run | target | verdict |', '| --- | ---: | --- | --- |']
  if (typeof node !== 'string') {
    goals.push(goal('Node verify vs fast-jwt uncached (fast-jwt time / hallpass time)', ratio(find(node, 'verify', 'fast-jwt'), find(node, 'verify', 'hallpass (node:crypto')), '≥ 1.0×', (v) => v >= 1))
    goals.push(goal('Node verify, caches on both sides, vs fast-jwt cached', ratio(find(node, 'verify (cached)', 'fast-jwt'), find(node, 'verify (cached)', 'hallpass (node:crypto')), '≥ 1.0×', (v) => v >= 1))
  }
  if (typeof workerd !== 'string') {
    const hp = find(workerd, 'verify', 'hallpass')
    goals.push(goal('workerd verify cost / bare crypto.subtle.verify', ratio(hp, find(workerd, 'verify', 'limit: crypto.subtle.verify')), '≤ 1.5×', (v) => v <= 1.5))
    goals.push(goal('workerd verify vs hono/jwt (hono time / hallpass time)', ratio(find(workerd, 'verify', 'hono/jwt'), hp), '≥ 2×', (v) => v >= 2))
    goals.push(goal('workerd verify vs jose (jose time / hallpass time)', ratio(find(workerd, 'verify', 'jose'), hp), '≥ 2×', (v) => v >= 2))
    goals.push(goal('(context) workerd verify cost / the no-checks floor', ratio(hp, find(workerd, 'verify', 'limit + decode')), 'as close to 1× as it gets', () => true))
  }
  if (typeof stdin !== 'string') {
    const rate = (node: string) => stdin.rows.find((r) => r.workload === 'verify (distinct tokens)' && r.node === node)?.messagesPerSecond
    goals.push(goal('stdin node verify throughput vs the fast-jwt node', ratio(rate('hallpass'), rate('fast-jwt node')), '≥ 1.2×', (v) => v >= 1.2))
    goals.push(goal(`stdin node peak RSS over ${stdin.memoryMessages.toLocaleString('en')} messages`, stdin.peakRssMb, '< 100 MB', (v) => v < 100, ' MB'))
  }
  if (typeof http !== 'string') {
    const rps = (prefix: string) => http.find((r) => r.target.startsWith(prefix))?.requestsPerSecond
    goals.push(goal('worker HTTP: protected route vs the hono/jwt worker', ratio(rps('hallpass/hono'), rps('hono/jwt')), '≥ 1.0×', (v) => v >= 1))
  }

  const sections: string[] = []
  sections.push(typeof node === 'string' ? node : coreTable(node, (g) => (g === 'sign' ? 'hallpass' : g === 'verify (cached)' ? 'hallpass (node:crypto' : 'hallpass (node:crypto')))
  const workerdSection = typeof workerd === 'string' ? workerd : coreTable(workerd, () => 'hallpass')
  let stdinSection: string
  if (typeof stdin === 'string') stdinSection = stdin
  else {
    const lines = ['| workload | node | messages/s | relative to hallpass |', '| --- | --- | ---: | ---: |']
    for (const row of stdin.rows) {
      const base = stdin.rows.find((r) => r.workload === row.workload && r.node === 'hallpass')!.messagesPerSecond
      lines.push(`| ${row.workload} | ${row.node} | ${Math.round(row.messagesPerSecond).toLocaleString('en')} | ${(row.messagesPerSecond / base).toFixed(2)}× |`)
    }
    lines.push('', `Peak RSS of the hallpass node over ${stdin.memoryMessages.toLocaleString('en')} verify messages: **${stdin.peakRssMb.toFixed(0)} MB**.`)
    stdinSection = lines.join('\n')
  }
  let httpSection: string
  if (typeof http === 'string') httpSection = http
  else {
    const lines = ['| target | requests/s | p50 ms | p99 ms |', '| --- | ---: | ---: | ---: |']
    for (const row of http) lines.push(`| ${row.target} | ${Math.round(row.requestsPerSecond).toLocaleString('en')} | ${row.p50Ms ?? ''} | ${row.p99Ms ?? ''} |`)
    httpSection = lines.join('\n')
  }

  writeFileSync(`${ROOT}/bench/chart.svg`, chart(typeof node === 'string' ? [] : node, typeof workerd === 'string' ? [] : workerd))
  const report = `# Benchmarks

Regenerate with \`npm run bench\` (a few minutes; it rewrites this file and \`bench/chart.svg\`).
Every number below comes from one run on one machine; compare ratios within the run, not absolute
numbers across machines. No timing is asserted in \`npm test\`.

- **Run**: ${started.toISOString()}
- **Machine**: ${machine}
- **Versions**: ${versions}

## Goals

${goals.join('\n')}

Where a goal is missed, look at the floors measured in the same run. In workerd no verify can cost
less than the row "limit + decode + JSON.parse (no checks)": split the token, base64url-decode and
\`JSON.parse\` the payload, one \`crypto.subtle.verify\`, nothing checked. That floor alone is about
twice a bare \`crypto.subtle.verify\` there, so "≤ 1.5× crypto.subtle.verify" is out of reach for any
verifier that reads the claims; the context row shows how far hallpass is above the floor. The
stdin node and the fast-jwt node share their floor too (line \`JSON.parse\`, reply
\`JSON.stringify\`, one HMAC: compare the echo node), so their ratio is diluted by it. hallpass's
generate also signs a refresh token and records a refresh family per message, which the fast-jwt
node does not.

## Method

- **Node core** (\`bench/node-core.ts\`, mitata, one process): mean time per call over ≥ 0.5 s of CPU
  per case. Verify cycles through 4096 distinct valid tokens so no cache can stand in for
  verifying; "cached" verifies one token again and again with each library's cache on. Every
  verifier must accept the tokens before it is timed. hallpass runs with the node:crypto HMAC the
  stdin node uses, and with the WebCrypto default. "issue" in hallpass signs an access token
  **and** a refresh token and records the refresh family; the peers sign one token.
- **workerd** (\`bench/workerd.ts\`): workerd's clock does not advance during pure compute, so a
  bench worker runs N operations per request and this side times requests with n = N and n = 0
  from outside: (median(N) − median(0)) / N.
- **stdin node** (\`bench/stdin.ts\`): whole processes fed over a pipe, timed from the first message
  to the last reply (100 000 messages; the median of three rounds that alternate the nodes), with
  distinct tokens per message; the same protocol node built on fast-jwt,
  and an echo node (JSON parse and reply, no crypto) as the floor. Peak RSS is VmHWM from /proc.
- **edge worker over HTTP** (\`bench/http.ts\`): load from 127.0.0.1 against \`wrangler dev\`, bounded
  in time and connections.

![verify cost by library](bench/chart.svg)

## Node: core verify and sign

${sections[0]}

## workerd: core verify and sign

${workerdSection}

## stdin node: messages per second through whole processes

${stdinSection}

## Edge worker over HTTP

${httpSection}
`
  writeFileSync(`${ROOT}/BENCHMARKS.md`, report)
  log('\nwrote BENCHMARKS.md and bench/chart.svg')
  log(goals.join('\n'))
}

await main()
