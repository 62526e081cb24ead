// A store as hallpass 0.1 (schema 1, PROTOCOL v2) left it, for the migration tests: its DDL as it
// shipped, and rows that exercise each rule of the migration to schema 2.
import { expect } from 'vitest'
import { timedId, type TokenStore } from '../../src/internal.ts'

export const V1_SQLITE = `
CREATE TABLE family (id TEXT PRIMARY KEY, claims TEXT NOT NULL, generation INTEGER NOT NULL, revoked INTEGER NOT NULL,
  current_jti TEXT NOT NULL, current_iat INTEGER NOT NULL, expires_at INTEGER NOT NULL, rotated_at INTEGER NOT NULL);
CREATE INDEX family_expiry ON family (expires_at);
CREATE TABLE revocation (seq INTEGER PRIMARY KEY AUTOINCREMENT, jti TEXT, sub TEXT, cutoff_ms INTEGER, expires_at INTEGER NOT NULL);
CREATE INDEX revocation_expiry ON revocation (expires_at);
PRAGMA user_version = 1;
`

export const V1_POSTGRES = [
  'CREATE TABLE hallpass_schema (version integer NOT NULL)',
  'INSERT INTO hallpass_schema (version) VALUES (1)',
  `CREATE TABLE hallpass_family (id text PRIMARY KEY, claims text NOT NULL, generation integer NOT NULL, revoked boolean NOT NULL,
    current_jti text NOT NULL, current_iat bigint NOT NULL, expires_at bigint NOT NULL, rotated_at bigint NOT NULL)`,
  'CREATE INDEX hallpass_family_expiry ON hallpass_family (expires_at)',
  `CREATE TABLE hallpass_revocation (seq bigserial PRIMARY KEY, jti text, sub text, cutoff_ms bigint, expires_at bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  'CREATE INDEX hallpass_revocation_expiry ON hallpass_revocation (expires_at)',
  'CREATE INDEX hallpass_revocation_created ON hallpass_revocation (created_at)',
]

const T = 1_900_000_000
/** The instant carol's refresh token was issued at: her login instant once migrated. */
const CAROL_MS = T * 1000 + 250

/** Rows of a v1 store: [id, claims, generation, revoked, current_jti, current_iat, expires_at, rotated_at]. */
export const V1_FAMILIES: Array<[string, string, number, boolean, string, number, number, number]> = [
  // Its current refresh token's jti says the millisecond: that is the family's login instant now.
  ['carol-family', JSON.stringify({ sub: 'carol', auth_time: 1 }), 2, false, timedId(CAROL_MS), T, T + 600, T],
  // A jti that says nothing, or an instant outside its iat second: the start of the iat second.
  ['dave-family', JSON.stringify({ sub: 'dave' }), 0, false, 'plain-jti', T, T + 600, T],
  ['erin-family', JSON.stringify({ sub: 'erin' }), 0, false, timedId(T * 1000 + 5000), T, T + 600, T],
  ['gina-family', JSON.stringify({ sub: 'gina' }), 1, false, timedId(T * 1000 + 600), T, T + 600, T],
]

/** Rows of v1's revocation log: [jti, sub, cutoff_ms, expires_at]. */
export const V1_REVOCATIONS: Array<[string | null, string | null, number | null, number]> = [
  // Carol logged out after her login: her family must not rotate once migrated.
  [null, 'carol', CAROL_MS + 1, T + 600],
  // Dave and Gina logged out exactly at their login instants: not after them, so their families live.
  [null, 'dave', T * 1000, T + 600],
  [null, 'gina', T * 1000 + 600, T + 600],
  // A v2 text that starts with the escape marker now used for texts stores cannot keep.
  [null, '\u001b"bob"', T * 1000 + 999, T + 600],
  ['\u001bjti', 'frank', null, T + 600],
]

const rotation = (generation: number, sub: string) => ({ generation, sub, next: { jti: `next-${sub}`, iat: T + 1, exp: T + 700 }, now: T + 1, reuseInterval: 0 })

/** What a store opened on the v1 rows must answer. */
export async function expectMigrated(store: TokenStore): Promise<void> {
  expect(await store.rotateFamily('carol-family', rotation(2, 'carol'))).toEqual({ status: 'revoked' })
  // The caller-set auth_time stays in the stored claims; every token minted sets its own over it.
  expect(await store.rotateFamily('dave-family', rotation(0, 'dave'))).toEqual({ status: 'rotated', claims: { sub: 'dave' }, authTimeMs: T * 1000 })
  expect(await store.rotateFamily('erin-family', rotation(0, 'erin'))).toEqual({ status: 'rotated', claims: { sub: 'erin' }, authTimeMs: T * 1000 })
  expect(await store.rotateFamily('gina-family', rotation(1, 'gina'))).toEqual({ status: 'rotated', claims: { sub: 'gina' }, authTimeMs: T * 1000 + 600 })
  expect(await store.isRevoked({ jti: undefined, sub: '\u001b"bob"', iat: T }, T + 1)).toBe(true)
  expect(await store.isRevoked({ jti: undefined, sub: 'bob', iat: T }, T + 1)).toBe(false)
  expect(await store.isRevoked({ jti: '\u001bjti', sub: 'frank', iat: T + 5 }, T + 1)).toBe(true)
  expect(await store.isRevoked({ jti: 'jti', sub: 'frank', iat: T + 5 }, T + 1)).toBe(false)
}
