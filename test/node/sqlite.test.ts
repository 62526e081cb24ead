// HALLPASS_STORE=sqlite:PATH with real processes on real files: kill -9 in the middle of a stream
// and a restart (nothing acknowledged is lost, nothing spent works again), two processes racing
// on one refresh token, revocations crossing processes within a second, revoke_subject across a
// restart, the failures that stop a node at start, SIGTERM, and the file shrinking back.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { SECRET } from '../support/forge.ts'
import { startNode, type NodeProcess } from './process.ts'

type Reply = Record<string, unknown>

const dir = mkdtempSync(join(tmpdir(), 'hallpass-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newFile = () => join(dir, `store-${files++}.db`)

const envFor = (path: string, extra: Record<string, string> = {}) => ({ HALLPASS_SECRET: SECRET, HALLPASS_STORE: `sqlite:${path}`, ...extra })

/** A node process whose replies are matched to requests by msg_id, so requests may overlap. */
class Client {
  readonly node: NodeProcess
  readonly #waiting = new Map<number, (reply: Reply) => void>()
  readonly replies = new Map<number, Reply>()
  #next = 1
  #buffer = ''

  constructor(env: Record<string, string>) {
    this.node = startNode(env)
    this.node.child.stdout.on('data', (chunk: Buffer | string) => {
      const parts = (this.#buffer + chunk.toString()).split('\n')
      this.#buffer = parts.pop()!
      for (const line of parts) {
        const reply = JSON.parse(line) as Reply
        const id = reply.in_reply_to as number
        this.replies.set(id, reply)
        this.#waiting.get(id)?.(reply)
        this.#waiting.delete(id)
      }
    })
  }

  /** Writes the message now; resolves with its reply. */
  send(body: Reply): { id: number; reply: Promise<Reply> } {
    const id = this.#next++
    const reply = new Promise<Reply>((resolve, reject) => {
      this.#waiting.set(id, resolve)
      this.node.exited.then(() => reject(new Error(`node exited before answering ${id}; stderr: ${this.node.stderr()}`)))
    })
    reply.catch(() => undefined)
    this.node.child.stdin.write(`${JSON.stringify({ ...body, msg_id: id })}\n`)
    return { id, reply }
  }

  ask(body: Reply): Promise<Reply> {
    return this.send(body).reply
  }

  issue(sub: string): Promise<Reply> {
    return this.ask({ type: 'generate_access_token', payload: { sub } })
  }

  refresh(token: unknown): Promise<Reply> {
    return this.ask({ type: 'refresh_token', refresh_token: token })
  }

  verify(token: unknown): Promise<Reply> {
    return this.ask({ type: 'verify_token', token })
  }

  async stop(): Promise<number | null> {
    this.node.child.stdin.end()
    return await this.node.exited
  }

  async kill(): Promise<void> {
    this.node.child.kill('SIGKILL')
    await this.node.exited
  }
}

/** The node's lines on stderr, Node's own warnings left out. */
const ownLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '' && !/ExperimentalWarning|--trace-warnings/.test(line))

describe('the SQLite store in real processes', () => {
  it('keeps every acknowledged change through kill -9, round after round, and lets nothing spent work again', async () => {
    const path = newFile()
    const ROUNDS = 6
    const FAMILIES = 120
    for (let round = 0; round < ROUNDS; round++) {
      const node = new Client(envFor(path))
      const issued = await Promise.all(Array.from({ length: FAMILIES }, (_, i) => node.issue(`r${round}-u${i}`)))
      // Revocations acknowledged before the stream, and more inside it.
      const revokedBefore = issued.slice(0, 5).map((t) => t.access_token)
      for (const token of revokedBefore) expect(await node.ask({ type: 'revoke_token', token })).toMatchObject({ type: 'token_revoked' })
      expect(await node.ask({ type: 'revoke_subject', sub: `r${round}-u5` })).toMatchObject({ type: 'subject_revoked' })
      // One refresh per family, and a revocation after every tenth, all written at once; the node is
      // killed as soon as a random share of the replies has come back.
      const stop = Math.floor(Math.random() * FAMILIES)
      const sent = issued.map((tokens, i) => {
        const refresh = node.send({ type: 'refresh_token', refresh_token: tokens.refresh_token })
        const revoke = i % 10 === 9 ? node.send({ type: 'revoke_token', token: tokens.access_token }) : undefined
        return { tokens, refresh, revoke }
      })
      await new Promise<void>((resolve) => {
        const check = () => (node.replies.size >= FAMILIES + 6 + stop ? resolve() : setTimeout(check, 0))
        check()
      })
      await node.kill()
      const acknowledged = (id: number) => node.replies.get(id)

      const again = new Client(envFor(path))
      for (const token of revokedBefore) expect(await again.verify(token)).toMatchObject({ code: 'token_revoked' })
      expect(await again.verify(issued[5]!.access_token)).toMatchObject({ code: 'token_revoked' })
      for (const { tokens, refresh, revoke } of sent.slice(6)) {
        const rotated = acknowledged(refresh.id)
        if (rotated !== undefined) {
          expect(rotated).toMatchObject({ type: 'token_refreshed' })
          // The acknowledged token works exactly once; the spent one never again.
          const next = await again.refresh(rotated.refresh_token)
          expect(next).toMatchObject({ type: 'token_refreshed' })
          expect(await again.refresh(rotated.refresh_token)).toMatchObject({ type: 'token_invalid', code: 'refresh_token_reused' })
          expect(await again.refresh(tokens.refresh_token)).toMatchObject({ type: 'token_invalid' })
        } else {
          // Not acknowledged: it may or may not have been committed, but it is one or the other.
          const reply = await again.refresh(tokens.refresh_token)
          expect(reply.type === 'token_refreshed' || reply.code === 'refresh_token_reused').toBe(true)
        }
        if (revoke !== undefined && acknowledged(revoke.id) !== undefined) {
          expect(await again.verify(tokens.access_token)).toMatchObject({ code: 'token_revoked' })
        }
      }
      expect(await again.stop()).toBe(0)
      expect(ownLines(again.node.stderr())).toEqual([])
    }
  }, 90_000)

  it('lets exactly one of two processes win a race on one refresh token, trial after trial', async () => {
    const path = newFile()
    const a = new Client(envFor(path))
    const b = new Client(envFor(path))
    const TRIALS = 60
    for (let trial = 0; trial < TRIALS; trial++) {
      const issued = await a.issue(`racer-${trial}`)
      const copies = trial % 3 === 0 ? 3 : 1
      const replies = await Promise.all([
        ...Array.from({ length: copies }, () => a.refresh(issued.refresh_token)),
        ...Array.from({ length: copies }, () => b.refresh(issued.refresh_token)),
      ])
      expect(replies.filter((reply) => reply.type === 'token_refreshed')).toHaveLength(1)
      expect(replies.filter((reply) => reply.type === 'token_invalid')).toHaveLength(2 * copies - 1)
    }
    expect(await a.stop()).toBe(0)
    expect(await b.stop()).toBe(0)
  }, 60_000)

  it('has a revocation made through one process refused by another within 1 s, a family at once', async () => {
    const path = newFile()
    const a = new Client(envFor(path))
    const b = new Client(envFor(path))
    const waitRefused = async (token: unknown) => {
      const start = performance.now()
      for (;;) {
        const reply = await b.verify(token)
        if (reply.code === 'token_revoked') return performance.now() - start
        expect(reply.type).toBe('token_valid')
        if (performance.now() - start > 3000) throw new Error('not refused within 3 s')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    const one = await a.issue('alice')
    expect(await b.verify(one.access_token)).toMatchObject({ type: 'token_valid' })
    await a.ask({ type: 'revoke_token', token: one.access_token })
    expect(await waitRefused(one.access_token)).toBeLessThan(1000)

    const two = await a.issue('bob')
    const bobsOther = await b.issue('bob')
    expect(await b.verify(two.access_token)).toMatchObject({ type: 'token_valid' })
    await a.ask({ type: 'revoke_subject', sub: 'bob' })
    expect(await waitRefused(bobsOther.access_token)).toBeLessThan(1000)
    expect(await b.verify(two.access_token)).toMatchObject({ code: 'token_revoked' })

    // A family revoked through one process cannot be refreshed through the other, not even once.
    const three = await a.issue('carol')
    await a.ask({ type: 'revoke_token', token: three.refresh_token })
    expect(await b.refresh(three.refresh_token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
    await a.stop()
    await b.stop()
  }, 30_000)

  it('keeps a subject logged out across a restart, and the login made in the same second after it', async () => {
    const path = newFile()
    const first = new Client(envFor(path))
    const before = await first.issue('dave')
    await first.ask({ type: 'revoke_subject', sub: 'dave' })
    const after = await first.issue('dave')
    expect(await first.verify(after.access_token)).toMatchObject({ type: 'token_valid' })
    await first.kill()
    const second = new Client(envFor(path))
    expect(await second.verify(before.access_token)).toMatchObject({ code: 'token_revoked' })
    expect(await second.refresh(before.refresh_token)).toMatchObject({ code: 'token_revoked' })
    expect(await second.verify(after.access_token)).toMatchObject({ type: 'token_valid' })
    expect(await second.refresh(after.refresh_token)).toMatchObject({ type: 'token_refreshed' })
    await second.stop()
  }, 30_000)

  it('on SIGTERM answers what it read, commits, folds the WAL back and exits 0; all of it is there after', async () => {
    const path = newFile()
    const node = new Client(envFor(path))
    await node.issue('warm-up')
    const sent = Array.from({ length: 300 }, (_, i) => node.send({ type: 'generate_access_token', payload: { sub: `t${i}` } }))
    node.node.child.kill('SIGTERM')
    expect(await node.node.exited).toBe(0)
    const answered = sent.map((s) => node.replies.get(s.id)).filter((reply) => reply !== undefined)
    expect(answered.length).toBeGreaterThan(0)
    for (const reply of answered) expect(reply).toMatchObject({ type: 'token_generated' })
    expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).toBe(0)
    const again = new Client(envFor(path))
    const refreshed = await Promise.all(answered.map((reply) => again.refresh(reply!.refresh_token)))
    for (const reply of refreshed) expect(reply).toMatchObject({ type: 'token_refreshed' })
    await again.stop()
  }, 30_000)

  it('purges expired families and revocations, and the file shrinks back', async () => {
    const path = newFile()
    const short = envFor(path, { HALLPASS_ACCESS_TTL: '1', HALLPASS_REFRESH_TTL: '1' })
    const node = new Client(short)
    const padding = 'p'.repeat(400)
    const COUNT = 8000
    for (let start = 0; start < COUNT; start += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => node.ask({ type: 'generate_access_token', payload: { sub: `g${start + i}`, padding } })))
    }
    await node.stop()
    const grown = statSync(path).size
    expect(grown).toBeGreaterThan(COUNT * 400)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    // The next start purges what expired and hands the pages back.
    const later = new Client(short)
    await later.issue('survivor')
    await later.stop()
    const shrunk = statSync(path).size
    expect(shrunk).toBeLessThan(grown / 10)
    const db = new DatabaseSync(path, { readOnly: true })
    expect(db.prepare('SELECT COUNT(*) AS n FROM family').get()).toEqual({ n: 1 })
    db.close()
  }, 60_000)
})

describe('a store the node cannot use stops it at start with one line', () => {
  async function refusal(env: Record<string, string>): Promise<string[]> {
    const node = startNode({ HALLPASS_SECRET: SECRET, ...env })
    node.child.stdin.end()
    const code = await node.exited
    expect(code).not.toBe(0)
    expect(await node.remainingLines()).toEqual([])
    const lines = ownLines(node.stderr())
    expect(lines).toHaveLength(1)
    expect(node.stderr()).not.toContain(SECRET)
    return lines
  }

  it('refuses a path it cannot create', async () => {
    expect(await refusal({ HALLPASS_STORE: `sqlite:${join(dir, 'no-such-dir', 'x.db')}` })).toEqual([expect.stringMatching(/^hallpass: cannot start: the store .*x\.db cannot be opened or created/)])
    expect(await refusal({ HALLPASS_STORE: `sqlite:${dir}` })).toEqual([expect.stringMatching(/cannot be opened or created/)])
  })

  it('refuses a file that is not an SQLite database, and leaves it as it was', async () => {
    const path = newFile()
    const garbage = Buffer.from('this is not a database, it is a shopping list: eggs, milk, bread\n'.repeat(100))
    writeFileSync(path, garbage)
    expect(await refusal({ HALLPASS_STORE: `sqlite:${path}` })).toEqual([expect.stringMatching(/is not an SQLite database, or it is corrupt/)])
    expect(statSync(path).size).toBe(garbage.length)
  })

  it('refuses a store of a newer schema, and an SQLite file it did not create', async () => {
    const newer = newFile()
    const future = new DatabaseSync(newer)
    future.exec('CREATE TABLE family (id TEXT); PRAGMA user_version = 99')
    future.close()
    expect(await refusal({ HALLPASS_STORE: `sqlite:${newer}` })).toEqual([expect.stringMatching(/has schema 99, newer than this hallpass knows \(1\)/)])
    const foreign = newFile()
    const other = new DatabaseSync(foreign)
    other.exec('CREATE TABLE invoices (id INTEGER)')
    other.close()
    expect(await refusal({ HALLPASS_STORE: `sqlite:${foreign}` })).toEqual([expect.stringMatching(/hallpass did not create/)])
  })

  it('waits for a lock another process holds, then gives up after HALLPASS_STORE_WAIT', async () => {
    const path = newFile()
    // Created by a node first, then locked by this test process (another process to the node).
    const setup = new Client(envFor(path))
    await setup.stop()
    const holder = new DatabaseSync(path)
    holder.exec('BEGIN IMMEDIATE')
    const start = performance.now()
    try {
      expect(await refusal({ HALLPASS_STORE: `sqlite:${path}`, HALLPASS_STORE_WAIT: '1' })).toEqual([expect.stringMatching(/is locked by another process \(waited 1 s/)])
      expect(performance.now() - start).toBeGreaterThanOrEqual(900)
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
    }
  })

  it('refuses a store it does not know', async () => {
    expect(await refusal({ HALLPASS_STORE: 'redis://user:hunter2@host' })).toEqual(['hallpass: cannot start: HALLPASS_STORE must be memory, sqlite:PATH or postgres://…'])
    expect(await refusal({ HALLPASS_STORE: 'sqlite:' })).toEqual([expect.stringMatching(/needs a file path/)])
  })
})
