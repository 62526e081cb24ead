// The store contract against a real SQLite file (node:sqlite): two connections to it, and the file
// opened again after a close. Then what only this store does: purging what expired, at open and
// while serving, and handing the pages back (on the store's own clock: no waiting for real time).
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import type { FamilyRecord } from '../../src/internal.ts'
import { openSqliteStore } from '../../src/node/store.ts'
import { storeContract } from './contract.ts'
import { expectMigrated, V1_FAMILIES, V1_REVOCATIONS, V1_SQLITE } from './legacy.ts'

const dir = mkdtempSync(join(tmpdir(), 'hallpass-sqlite-contract-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

storeContract('sqlite', async () => {
  const path = join(dir, 'store.db')
  const open = () => openSqliteStore(path, { waitMs: 5000 })
  return { store: await open(), second: await open(), reopen: open, strict: () => openSqliteStore(path, { waitMs: 5000, stalenessMs: 0 }) }
})

it('migrates a file of schema 1 (hallpass 0.1): login instants from the current refresh token, cut-offs by subject, escaped texts', async () => {
  const path = join(dir, 'v1.db')
  const old = new DatabaseSync(path)
  old.exec(V1_SQLITE)
  const family = old.prepare('INSERT INTO family VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  for (const [id, claims, generation, revoked, jti, iat, exp, rotated] of V1_FAMILIES) family.run(id, claims, generation, revoked ? 1 : 0, jti, iat, exp, rotated)
  const revocation = old.prepare('INSERT INTO revocation (jti, sub, cutoff_ms, expires_at) VALUES (?, ?, ?, ?)')
  for (const row of V1_REVOCATIONS) revocation.run(...row)
  old.close()
  const store = await openSqliteStore(path, { waitMs: 2000 })
  try {
    await expectMigrated(store)
  } finally {
    store.close()
  }
  const reopened = new DatabaseSync(path, { readOnly: true })
  expect(reopened.prepare('PRAGMA user_version').get()).toEqual({ user_version: 2 })
  reopened.close()
})

it("has a revocation through another connection reach this one's view by its poll, without a catch-up", async () => {
  const path = join(dir, 'poll.db')
  const reader = await openSqliteStore(path, { waitMs: 5000, pollMs: 10 })
  const writer = await openSqliteStore(path, { waitMs: 5000 })
  try {
    const T = 1_900_000_000
    await writer.revokeToken('polled', 'sub-poll', T + 100, T)
    await writer.revokeSubject('sub-cut', T * 1000 + 500, T + 100, T)
    // Waits for the poll, for as long as it takes (the test's timeout guards against hanging).
    while (!reader.isRevoked({ jti: 'polled', sub: 'sub-poll', iat: T }, T)) await new Promise((resolve) => setTimeout(resolve, 10))
    while (!reader.isRevoked({ jti: 'x', sub: 'sub-cut', iat: T, authTime: T }, T)) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(reader.isRevoked({ jti: 'x', sub: 'sub-cut', iat: T, authTime: T + 1 }, T)).toBe(false)
  } finally {
    writer.close()
    reader.close()
  }
})

describe('purging what expired', () => {
  /** The store's clock, epoch ms: only the test moves it. */
  let clockMs = 0
  const T = 1_900_000_000
  const family = (exp: number, padding = ''): FamilyRecord => ({ claims: { sub: 'u', padding }, authTimeMs: T * 1000, generation: 0, revoked: false, current: { jti: `j-${exp}`, iat: T, exp }, rotatedAt: T })
  /** Rows of each table, read through a connection of their own. */
  function rows(path: string): Record<'family' | 'revocation' | 'subject', number> {
    const db = new DatabaseSync(path, { readOnly: true })
    try {
      const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
      return { family: count('family'), revocation: count('revocation'), subject: count('subject') }
    } finally {
      db.close()
    }
  }
  /** Families, revocations and cut-offs that expire at `exp` (epoch s), `count` of each kind. */
  async function fill(store: Awaited<ReturnType<typeof openSqliteStore>>, label: string, count: number, exp: number): Promise<void> {
    const padding = 'p'.repeat(400)
    for (let start = 0; start < count; start += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, count - start) }, (_, i) => [
          store.createFamily(`${label}-f${start + i}`, family(exp, padding)),
          store.revokeToken(`${label}-j${start + i}`, `${label}-s${start + i}`, exp, T),
          store.revokeSubject(`${label}-c${start + i}`, T * 1000, exp, T),
        ]).flat(),
      )
    }
  }

  it('at open: deletes every expired row, keeps the rest, and the file shrinks back', async () => {
    const path = join(dir, 'purge-at-open.db')
    clockMs = T * 1000
    const first = await openSqliteStore(path, { waitMs: 5000, clock: () => clockMs })
    await first.createFamily('survivor', family(T + 3600))
    await fill(first, 'old', 4000, T + 1)
    first.close()
    const grown = statSync(path).size
    expect(grown).toBeGreaterThan(4000 * 400)
    // A cut-off is a row of the revocation log too (what other processes poll), and of `subject`.
    expect(rows(path)).toEqual({ family: 4001, revocation: 8000, subject: 4000 })
    // Opened again once they have expired (at exp itself: expired from that second on).
    clockMs = (T + 1) * 1000
    const again = await openSqliteStore(path, { waitMs: 5000, clock: () => clockMs })
    expect(rows(path)).toEqual({ family: 1, revocation: 0, subject: 0 })
    expect(await again.isRevoked({ jti: 'old-j0', sub: 'old-s0', iat: T }, T + 1)).toBe(false)
    again.close()
    expect(statSync(path).size).toBeLessThan(grown / 10)
  })

  it('while serving: the periodic purge deletes what expired since, a batch at a time', async () => {
    const path = join(dir, 'purge-while-serving.db')
    clockMs = T * 1000
    const store = await openSqliteStore(path, { waitMs: 5000, clock: () => clockMs, purgeMs: 10 })
    try {
      await store.createFamily('survivor', family(T + 3600))
      // More rows than one purge step deletes (2000 of a table a step).
      await fill(store, 'serving', 2500, T + 60)
      // Nothing has expired yet: purges come and go and delete nothing.
      expect(rows(path)).toEqual({ family: 2501, revocation: 5000, subject: 2500 })
      clockMs = (T + 60) * 1000
      // Waits for the purge timer's work to show, however long a busy machine takes to run it.
      for (let left = rows(path); left.family > 1 || left.revocation > 0 || left.subject > 0; left = rows(path)) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(rows(path)).toEqual({ family: 1, revocation: 0, subject: 0 })
      expect(await store.rotateFamily('survivor', { generation: 0, sub: 'u', next: { jti: 'next', iat: T + 60, exp: T + 3600 }, now: T + 60, reuseInterval: 0 })).toMatchObject({ status: 'rotated' })
    } finally {
      store.close()
    }
  })
})
