// `wrangler dev` as a child process on 127.0.0.1, for tests and benchmarks that need the real
// local server: a free port, its own state directory, ready once GET /health answers, and the
// whole process group (wrangler and its workerd processes) ended on stop or on exit.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The most a `wrangler dev` may take to answer /health (ms). */
const STARTUP_TIMEOUT_MS = 60_000

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Process groups still up: ended on exit too, even after an error. */
const running = new Set<number>()
process.once('exit', () => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {}
  }
})

export interface DevServer {
  base: URL
  /** The process group id (wrangler's pid). */
  pid: number | undefined
  /** The last few KB wrangler printed, and whether it is still up. */
  status(): { output: string; exited: boolean }
  stop(): Promise<void>
}

/**
 * Starts `npm run dev -- <args>` (wrangler dev with metrics off) on a free port of 127.0.0.1 and
 * waits until GET /health answers 200.
 */
export async function wranglerDev(args: string[]): Promise<DevServer> {
  const port = await freePort()
  const inspectorPort = await freePort()
  const persist = mkdtempSync(join(tmpdir(), 'hallpass-dev-'))
  const child: ChildProcess = spawn(
    'npm',
    ['run', 'dev', '--silent', '--', ...args, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--persist-to', persist, '--show-interactive-dev-session=false', '--log-level', 'warn'],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', CI: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  if (child.pid !== undefined) running.add(child.pid)
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let exited = false
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())))
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name)
    } catch {}
  }
  const stop = async () => {
    if (!exited) signal('SIGTERM')
    const timer = setTimeout(() => signal('SIGKILL'), 5000)
    await exit
    clearTimeout(timer)
    // Anything of the group still up after wrangler itself has gone (a workerd) goes too.
    signal('SIGKILL')
    if (child.pid !== undefined) running.delete(child.pid)
    rmSync(persist, { recursive: true, force: true })
  }
  const base = new URL(`http://127.0.0.1:${port}`)
  const until = performance.now() + STARTUP_TIMEOUT_MS
  for (;;) {
    if (exited || performance.now() > until) {
      await stop()
      throw new Error(`wrangler dev ${args.join(' ')} did not come up:\n${output}`)
    }
    try {
      const response = await fetch(new URL('/health', base), { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.ok) return { base, pid: child.pid, stop, status: () => ({ output, exited }) }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
