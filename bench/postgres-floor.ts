// The floor under the stdin node's PostgreSQL store (issue 22): what one generate and one refresh
// cost PostgreSQL and postgres.js alone. postgres.js in the bench's own Node process, over the
// node's pool less its listening connection (HALLPASS_STORE_POOL − 1 = 9 connections), with as
// many statements in flight as the node lets itself have messages in flight (MAX_IN_FLIGHT in
// src/node/serve.ts, 1024): for generate a one-row INSERT of a family row of the columns and sizes
// hallpass writes, for refresh the store's own conditional UPDATE … RETURNING on one family row
// each. bench/store.ts measures it beside a stdin node on the same database, batch by batch.
//
// The floor sends its statements prepared (a named statement, parsed and planned once per
// connection: what src/store/postgres.ts asks of postgres.js too) and, as context, unprepared (what
// `sql.unsafe` does by default since postgres.js 4).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import postgres from 'postgres'
import { randomId, timedId } from '../src/lib/random.ts'
import { SETTINGS } from '../src/protocol/settings.ts'
import { FAMILY_COLUMNS, tables } from '../src/store/schema.ts'

const T = tables('postgres')
const SOURCE = new URL('../src/', import.meta.url)

/** The connections the node's queries go over: its pool less the one that listens. */
export const FLOOR_CONNECTIONS = SETTINGS.storePool.default - 1

/** generate's statement without its ON CONFLICT clause (a fresh random id never conflicts): one row, every column. */
export const FLOOR_INSERT = `INSERT INTO ${T.family} (${FAMILY_COLUMNS.join(', ')}) VALUES (${FAMILY_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`

/** refresh's statement as src/store/postgres.ts sends it (ROTATE): checked against that file at start. */
export const FLOOR_ROTATE = `UPDATE ${T.family} AS f SET generation = f.generation + 1, current_jti = $3, current_iat = $4, expires_at = $5, rotated_at = $7
  WHERE f.id = $1 AND f.generation = $2 AND NOT f.revoked AND f.expires_at > $7
    AND NOT EXISTS (SELECT 1 FROM ${T.subject} AS s WHERE s.sub = $6 AND s.expires_at > $7 AND s.cutoff_ms > f.auth_time_ms)
  RETURNING f.claims, f.auth_time_ms`

const squeeze = (text: string) => text.replace(/\s+/g, ' ').trim()

/**
 * Whether the floor still measures what the node does: the store's rotation statement, and the
 * node's bound on messages in flight (read from the sources, which export neither). Each
 * difference is one line for the log; the floor goes on with what it has.
 */
export function floorDrift(): { inFlight: number; warnings: string[] } {
  const warnings: string[] = []
  const store = readFileSync(new URL('store/postgres.ts', SOURCE), 'utf8')
  const rotate = /const ROTATE = `([^`]*)`/.exec(store)?.[1]?.replaceAll('${T.family}', T.family).replaceAll('${T.subject}', T.subject)
  if (rotate === undefined || squeeze(rotate) !== squeeze(FLOOR_ROTATE)) {
    warnings.push('the floor\'s UPDATE is no longer src/store/postgres.ts ROTATE: bring bench/postgres-floor.ts FLOOR_ROTATE up to date')
  }
  const serve = /const MAX_IN_FLIGHT = (\d+)/.exec(readFileSync(new URL('node/serve.ts', SOURCE), 'utf8'))?.[1]
  if (serve === undefined) warnings.push('MAX_IN_FLIGHT not found in src/node/serve.ts: the floor keeps 1024 statements in flight')
  return { inFlight: serve === undefined ? 1024 : Number(serve), warnings }
}

/** One family as the floor writes it: the values of its INSERT, and what its rotation needs. */
export interface FloorFamily {
  id: string
  sub: string
  /** The second it was made in. */
  made: number
  insert: Array<string | number | boolean>
}

/**
 * `count` families as generate would make them for `sub`s `tag-user{i}` (store.ts's issueLine):
 * a 22-character id, the caller's claims as JSON, a 30-character jti, times in seconds and ms.
 * Made before the clock starts, as the node's lines are.
 */
export function floorFamilies(count: number, tag: string): FloorFamily[] {
  const ms = Date.now()
  const now = Math.floor(ms / 1000)
  const exp = now + SETTINGS.refreshTtl.default
  return Array.from({ length: count }, (_, i) => {
    const id = randomId()
    const sub = `${tag}-user${i}`
    return { id, sub, made: now, insert: [id, JSON.stringify({ sub, roles: ['user'] }), ms, 0, false, timedId(ms), now, exp, now] }
  })
}

/**
 * The values of each family's first rotation, as a refresh now would send them: a new jti, and
 * `iat`, `exp` and `now` of this second. At least a second after the family was made, as every
 * refresh of the node's batch is: a rotation moves `expires_at`, which is indexed, so PostgreSQL
 * cannot update the row in place (HOT); one in the second of the INSERT would leave it as it was.
 */
export function floorRotations(families: readonly FloorFamily[]): Array<Array<string | number>> {
  const ms = Date.now()
  return families.map(({ id, sub, made }) => {
    const now = Math.max(Math.floor(ms / 1000), made + 1)
    return [id, 0, timedId(ms), now, now + SETTINGS.refreshTtl.default, sub, now]
  })
}

/** postgres.js over `connections` connections, `inFlight` statements at a time, in this process. */
export class PostgresFloor {
  readonly #sql: postgres.Sql
  readonly #inFlight: number

  private constructor(sql: postgres.Sql, inFlight: number) {
    this.#sql = sql
    this.#inFlight = inFlight
  }

  /** Connects every connection before anything is timed. */
  static async open(url: string, connections: number, inFlight: number): Promise<PostgresFloor> {
    // postgres.js's defaults but the pool size (fetch_types: no round trip at connect, as the store).
    const sql = postgres(url, { max: connections, fetch_types: false, onnotice: () => undefined, connection: { application_name: 'hallpass-bench-floor' } })
    await Promise.all(Array.from({ length: connections * 4 }, () => sql`SELECT pg_sleep(0.01)`))
    return new PostgresFloor(sql, inFlight)
  }

  /** One INSERT per family; seconds from the first statement sent to the last answer. */
  insert(families: readonly FloorFamily[], prepare: boolean): Promise<number> {
    return this.#run(families.length, async (i) => {
      const rows = await this.#sql.unsafe(FLOOR_INSERT, families[i]!.insert, { prepare })
      if (rows.count !== 1) throw new Error(`floor INSERT wrote ${rows.count} rows`)
    })
  }

  /** One rotation per family (floorRotations: each must match its row, so the floor does the real work); seconds. */
  rotate(rotations: ReadonlyArray<Array<string | number>>, prepare: boolean): Promise<number> {
    return this.#run(rotations.length, async (i) => {
      const rows = await this.#sql.unsafe(FLOOR_ROTATE, rotations[i]!, { prepare })
      if (rows.length !== 1) throw new Error(`floor UPDATE … RETURNING matched ${rows.length} rows`)
    })
  }

  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 })
  }

  /** `count` statements, `inFlight` at a time: each answer sends the next, as the node's replies let in its next lines. */
  async #run(count: number, statement: (i: number) => Promise<void>): Promise<number> {
    let next = 0
    const worker = async () => {
      while (next < count) await statement(next++)
    }
    const start = performance.now()
    await Promise.all(Array.from({ length: Math.min(this.#inFlight, count) }, worker))
    return (performance.now() - start) / 1000
  }
}

let ticks: number | undefined
/** Clock ticks a second, the unit of /proc/PID/stat's CPU times. */
function ticksPerSecond(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticks = 100
    }
  }
  return ticks
}

/** Fields of /proc/PID/stat after the command name: [0] is the state, [11..14] utime, stime, cutime, cstime. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** CPU seconds a process (all its threads) has used so far, from /proc; undefined where there is none. */
export function processCpu(pid: number): number | undefined {
  try {
    const fields = statFields(pid)
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond()
  } catch {
    return undefined
  }
}

/**
 * A meter of the PostgreSQL server's CPU seconds: the postmaster, every process it started (the
 * backends, WAL writer, checkpointer, autovacuum) and the ones it has reaped. Read from /proc, so
 * on this machine only; undefined when it cannot be read.
 */
export async function serverCpuMeter(url: string): Promise<() => number | undefined> {
  let postmaster: number
  try {
    const sql = postgres(url, { max: 1, fetch_types: false, onnotice: () => undefined })
    try {
      const [row] = await sql<Array<{ setting: string }>>`SELECT setting FROM pg_settings WHERE name = 'data_directory'`
      postmaster = Number(readFileSync(`${row!.setting}/postmaster.pid`, 'utf8').split('\n')[0])
    } finally {
      await sql.end({ timeout: 5 })
    }
  } catch {
    return () => undefined
  }
  return () => {
    try {
      const own = statFields(postmaster)
      let seconds = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])
      for (const entry of readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').trim().split(/\s+/)) {
        if (entry === '') continue
        try {
          const child = statFields(Number(entry))
          seconds += Number(child[11]) + Number(child[12])
        } catch {
          // Exited since the list was read: the postmaster's cutime has it once reaped.
        }
      }
      return seconds / ticksPerSecond()
    } catch {
      return undefined
    }
  }
}
