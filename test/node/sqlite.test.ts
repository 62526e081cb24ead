// HALLPASS_STORE=sqlite:PATH with real processes on real files: the durable-store promises
// (store-processes.ts), SIGTERM, a node purging at start and the file shrinking back, and the
// failures that stop a node at start.
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/node/store.ts'
import { SECRET } from '../support/forge.ts'
import { startNode } from './process.ts'
import { Client, ownLines, storeProcessSuite } from './store-processes.ts'

const dir = mkdtempSync(join(tmpdir(), 'hallpass-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newFile = () => join(dir, `store-${files++}.db`)

const envFor = (path: string, extra: Record<string, string> = {}) => ({ HALLPASS_SECRET: SECRET, HALLPASS_STORE: `sqlite:${path}`, ...extra })

storeProcessSuite('sqlite', { fresh: async () => `sqlite:${newFile()}`, racers: [2] })

describe('the SQLite store in real processes', () => {
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

  it('answers verify while another process holds the write lock: writes wait for it, then go through, or answer error 11 after HALLPASS_STORE_WAIT', async () => {
    const path = newFile()
    const node = new Client(envFor(path, { HALLPASS_STORE_WAIT: '60' }))
    const issued = await node.issue('reader')
    const holder = new DatabaseSync(path)
    holder.exec('BEGIN IMMEDIATE')
    let released = false
    const release = () => {
      if (released) return
      released = true
      holder.exec('ROLLBACK')
      holder.close()
    }
    try {
      const write = node.send({ type: 'generate_access_token', payload: { sub: 'writer' } })
      const read = node.send({ type: 'verify_token', token: issued.access_token })
      // The verify is answered while the write still waits: nothing about it needs the lock. (A
      // node that waited with its event loop stopped would answer neither until the lock is free.)
      const first = await Promise.race([read.reply, new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting'))])
      expect(first).toMatchObject({ type: 'token_valid' })
      expect(node.replies.has(write.id)).toBe(false)
      release()
      expect(await write.reply).toMatchObject({ type: 'token_generated' })
    } finally {
      release()
    }
    expect(await node.stop()).toBe(0)

    const impatient = new Client(envFor(path, { HALLPASS_STORE_WAIT: '1' }))
    expect(await impatient.verify(issued.access_token)).toMatchObject({ type: 'token_valid' })
    const again = new DatabaseSync(path)
    again.exec('BEGIN IMMEDIATE')
    try {
      const write = impatient.send({ type: 'generate_access_token', payload: { sub: 'writer' } })
      expect(await impatient.verify(issued.access_token)).toMatchObject({ type: 'token_valid' })
      expect(await write.reply).toMatchObject({ type: 'error', code: 11, text: 'Store unavailable' })
    } finally {
      again.exec('ROLLBACK')
      again.close()
    }
    expect(await impatient.issue('after')).toMatchObject({ type: 'token_generated' })
    expect(await impatient.stop()).toBe(0)
  }, 30_000)

  it('purges at start what expired, and the file shrinks back', async () => {
    const path = newFile()
    // Filled through the store in this process, on a clock an hour behind: everything in it expired
    // long ago for the node. (test/store/sqlite.test.ts tests the purge itself on the store's clock.)
    const past = Math.floor(Date.now() / 1000) - 3600
    const old = await openSqliteStore(path, { waitMs: 5000, clock: () => past * 1000 })
    const padding = 'p'.repeat(400)
    const COUNT = 8000
    for (let start = 0; start < COUNT; start += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) => [
          old.createFamily(`g${start + i}`, { claims: { sub: `g${start + i}`, padding }, authTimeMs: past * 1000, generation: 0, revoked: false, current: { jti: `r${start + i}`, iat: past, exp: past + 1 }, rotatedAt: past }),
          old.revokeToken(`a${start + i}`, `g${start + i}`, past + 1, past),
        ]).flat(),
      )
    }
    old.close()
    const grown = statSync(path).size
    expect(grown).toBeGreaterThan(COUNT * 400)
    // The next start purges what expired and hands the pages back.
    const later = new Client(envFor(path))
    await later.issue('survivor')
    await later.stop()
    const shrunk = statSync(path).size
    expect(shrunk).toBeLessThan(grown / 10)
    const db = new DatabaseSync(path, { readOnly: true })
    expect(db.prepare('SELECT COUNT(*) AS n FROM family').get()).toEqual({ n: 1 })
    expect(db.prepare('SELECT COUNT(*) AS n FROM revocation').get()).toEqual({ n: 0 })
    db.close()
  }, 30_000)
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

  it('refuses a store whose pages do not hold together (PRAGMA quick_check), and leaves it as it was', async () => {
    const path = newFile()
    const node = new Client(envFor(path))
    await Promise.all(Array.from({ length: 1500 }, (_, i) => node.ask({ type: 'generate_access_token', payload: { sub: `c${i}`, padding: 'p'.repeat(300) } })))
    expect(await node.stop()).toBe(0)
    // One page in the middle of the families' pages overwritten: the header and the schema intact.
    const size = statSync(path).size
    const page = Math.floor(size / 4096 / 2)
    const file = openSync(path, 'r+')
    writeSync(file, Buffer.alloc(4096, 0x5a), 0, 4096, page * 4096)
    closeSync(file)
    const corrupt = readFileSync(path)
    expect(await refusal({ HALLPASS_STORE: `sqlite:${path}` })).toEqual([expect.stringMatching(/^hallpass: cannot start: the store .* (is corrupt|is not an SQLite database, or it is corrupt)/)])
    const after = readFileSync(path)
    const changed = [...after.keys()].filter((i) => after[i] !== corrupt[i])
    expect(changed.slice(0, 20)).toEqual([])
  })

  it('refuses a store of a newer schema, and an SQLite file it did not create', async () => {
    const newer = newFile()
    const future = new DatabaseSync(newer)
    future.exec('CREATE TABLE family (id TEXT); PRAGMA user_version = 99')
    future.close()
    expect(await refusal({ HALLPASS_STORE: `sqlite:${newer}` })).toEqual([expect.stringMatching(/has schema 99, newer than this hallpass knows \(2\)/)])
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
