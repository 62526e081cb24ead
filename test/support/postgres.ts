// A throwaway PostgreSQL cluster for tests and benchmarks: Debian's server binaries
// (/usr/lib/postgresql/*/bin, `apt-get install postgresql`), a fresh data directory, 127.0.0.1 and
// a free port, no socket file outside the directory. PostgreSQL refuses to run as root, so as root
// the cluster belongs to the `postgres` user (runuser). Stopped, and its directory removed, by
// `stop()` or when the test process exits.
import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './wrangler-dev.ts'

const ROOT_DIR = '/usr/lib/postgresql'

export interface PostgresCluster {
  /** A connection string for database `name` (created by `createDatabase`), user `hallpass`. */
  url(name?: string): string
  createDatabase(name: string): void
  /** Stops the server (mode `fast`: connections are cut, as in a restart). */
  stopServer(): void
  /** Starts it again on the same port and data. */
  startServer(): void
  /**
   * Freezes every server process (SIGSTOP): the kernel still accepts connections on the port, and
   * nothing answers them, nor anything already connected (a hung VM, a black hole).
   */
  freeze(): void
  /** Lets the frozen processes go on (SIGCONT) where they stopped. */
  thaw(): void
  stop(): void
}

/** The newest installed server's bin directory; a clear error when there is none. */
function binDir(): string {
  const versions = existsSync(ROOT_DIR) ? readdirSync(ROOT_DIR).filter((name) => existsSync(join(ROOT_DIR, name, 'bin', 'initdb'))) : []
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  if (newest === undefined) throw new Error(`no PostgreSQL server under ${ROOT_DIR}: apt-get install -y postgresql (the tests start a cluster of their own)`)
  return join(ROOT_DIR, newest, 'bin')
}

const clusters = new Set<PostgresCluster>()
process.once('exit', () => {
  for (const cluster of clusters) cluster.stop()
})

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = binDir()
  const asRoot = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'hallpass-pg-'))
  const data = join(dir, 'data')
  const port = await freePort()
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
    chmodSync(dir, 0o700)
  }
  const run = (program: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(bin, program)
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, program), ...args] : args
    return execFileSync(command, argv, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })
  }
  // --no-sync: initdb's own files need no fsync for a cluster that lives for one test run; the
  // server itself keeps its default durability (fsync, synchronous_commit on).
  run('initdb', ['-D', data, '-U', 'hallpass', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'])
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200 -c shared_buffers=32MB`
  let running = false
  /** The postmaster (first line of postmaster.pid) and its children: every process of the server. */
  const signalAll = (signal: 'STOP' | 'CONT') => {
    if (!running) return
    const postmaster = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim()
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', postmaster], { encoding: 'utf8' }).split('\n').map((pid) => pid.trim()).filter((pid) => pid !== '')
    execFileSync('kill', [`-${signal}`, postmaster, ...children])
  }
  const cluster: PostgresCluster = {
    url: (name = 'postgres') => `postgres://hallpass@127.0.0.1:${port}/${name}`,
    createDatabase(name) {
      run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'hallpass', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE "${name}"`])
    },
    startServer() {
      run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'])
      running = true
    },
    stopServer() {
      if (!running) return
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'])
      running = false
    },
    freeze() {
      signalAll('STOP')
    },
    thaw() {
      signalAll('CONT')
    },
    stop() {
      if (!clusters.delete(cluster)) return
      if (running) signalAll('CONT')
      try {
        if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'])
      } catch {
        // Already gone.
      }
      running = false
      rmSync(dir, { recursive: true, force: true })
    },
  }
  clusters.add(cluster)
  cluster.startServer()
  return cluster
}
