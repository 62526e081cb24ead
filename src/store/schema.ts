// The stored form of the state, once for every SQL store: the tables (SQLite, which the file store
// and the edge's Durable Objects both speak, and PostgreSQL), how a family becomes a row and back,
// how a client's strings are kept unchanged, and the migrations from the v2 schema.
import type { JsonObject } from '../jws/compact.ts'
import type { FamilyRecord } from './types.ts'

export type Dialect = 'sqlite' | 'postgres'

/** A family's row: the columns of the family table, in the order `familyValues` gives them. */
export interface FamilyRow {
  claims: string
  auth_time_ms: number | string
  generation: number
  revoked: number | boolean
  current_jti: string
  current_iat: number | string
  expires_at: number | string
  rotated_at: number | string
}

export const FAMILY_COLUMNS = ['id', 'claims', 'auth_time_ms', 'generation', 'revoked', 'current_jti', 'current_iat', 'expires_at', 'rotated_at'] as const

/** The values of a new family's row, in FAMILY_COLUMNS order. */
export function familyValues(id: string, record: FamilyRecord, dialect: Dialect): Array<string | number | boolean> {
  const { current } = record
  const revoked = dialect === 'sqlite' ? (record.revoked ? 1 : 0) : record.revoked
  return [id, JSON.stringify(record.claims), record.authTimeMs, record.generation, revoked, current.jti, current.iat, current.exp, record.rotatedAt]
}

/** A family row read back (PostgreSQL hands bigints over as strings). */
export function familyRecord(row: FamilyRow): FamilyRecord {
  return {
    claims: JSON.parse(row.claims) as JsonObject,
    authTimeMs: Number(row.auth_time_ms),
    generation: Number(row.generation),
    revoked: row.revoked === true || row.revoked === 1,
    current: { jti: row.current_jti, iat: Number(row.current_iat), exp: Number(row.expires_at) },
    rotatedAt: Number(row.rotated_at),
  }
}

/** The schema a store of this code writes; a store of a later one is refused at open. */
export const SCHEMA_VERSION = 2

const TYPES: Record<Dialect, Record<'text' | 'int' | 'bool', string>> = {
  sqlite: { text: 'TEXT', int: 'INTEGER', bool: 'INTEGER' },
  postgres: { text: 'text', int: 'bigint', bool: 'boolean' },
}

/** The table names of a dialect: PostgreSQL's share a database with others, so they carry a prefix. */
export function tables(dialect: Dialect): { family: string; revocation: string; subject: string } {
  const prefix = dialect === 'postgres' ? 'hallpass_' : ''
  return { family: `${prefix}family`, revocation: `${prefix}revocation`, subject: `${prefix}subject` }
}

/** The family table: one row per refresh family (no token is stored, only ids and times). */
export function familyTable(dialect: Dialect, name = tables(dialect).family): string {
  const t = TYPES[dialect]
  return `CREATE TABLE ${name} (
    id ${t.text} PRIMARY KEY,
    claims ${t.text} NOT NULL,
    auth_time_ms ${t.int} NOT NULL,
    generation ${t.int} NOT NULL,
    revoked ${t.bool} NOT NULL,
    current_jti ${t.text} NOT NULL,
    current_iat ${t.int} NOT NULL,
    expires_at ${t.int} NOT NULL,
    rotated_at ${t.int} NOT NULL
  )`
}

/**
 * The subject table: each subject's live cut-off, read by a rotation inside its transaction (the
 * revocation log is what other nodes' views follow; this is what a rotation asks, by key).
 */
function subjectTable(dialect: Dialect): string {
  const t = TYPES[dialect]
  return `CREATE TABLE ${tables(dialect).subject} (sub ${t.text} PRIMARY KEY, cutoff_ms ${t.int} NOT NULL, expires_at ${t.int} NOT NULL)`
}

/** Every statement that makes a new store's schema. */
export function schema(dialect: Dialect): string[] {
  const t = TYPES[dialect]
  const { family, revocation, subject } = tables(dialect)
  const seq = dialect === 'sqlite' ? 'seq INTEGER PRIMARY KEY AUTOINCREMENT' : 'seq bigserial PRIMARY KEY'
  // PostgreSQL's sequence orders rows, not commits: its views re-read the last seconds by this.
  const created = dialect === 'postgres' ? ',\n    created_at timestamptz NOT NULL DEFAULT clock_timestamp()' : ''
  return [
    familyTable(dialect),
    `CREATE INDEX ${family}_expiry ON ${family} (expires_at)`,
    // Every revocation, in commit order: a revoked access token (jti) or a subject's cut-off.
    `CREATE TABLE ${revocation} (
    ${seq},
    jti ${t.text},
    sub ${t.text},
    cutoff_ms ${t.int},
    expires_at ${t.int} NOT NULL${created}
  )`,
    `CREATE INDEX ${revocation}_expiry ON ${revocation} (expires_at)`,
    // For a verify that asks the store itself (HALLPASS_REVOCATION_STALENESS=0).
    `CREATE INDEX ${revocation}_jti ON ${revocation} (jti)`,
    ...(dialect === 'postgres' ? [`CREATE INDEX ${revocation}_created ON ${revocation} (created_at)`] : []),
    subjectTable(dialect),
    `CREATE INDEX ${subject}_expiry ON ${subject} (expires_at)`,
  ]
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * SQL for the issue instant (ms) a refresh token's id records (lib/random.ts `timedId`: its first
 * eight base64url characters are 48 bits of milliseconds) when it lies within the `iat` second,
 * else the start of that second: `issuedAtMs`, in SQL, for the migration of v2 families.
 */
export function jtiInstantSql(dialect: Dialect, jti: string, iat: string): string {
  // SQLite's integers are 64-bit; PostgreSQL's strpos is 32-bit, so each digit is widened first.
  const find = dialect === 'sqlite' ? 'instr' : 'strpos'
  const wide = dialect === 'sqlite' ? '' : '::bigint'
  const digits = Array.from({ length: 8 }, (_, i) => `(${find}('${BASE64URL}', substr(${jti}, ${i + 1}, 1))${wide} - 1) * ${64 ** (7 - i)}`).join(' + ')
  const ms = `(${digits})`
  return `CASE WHEN length(${jti}) = 30 AND ${ms} >= ${iat} * 1000 AND ${ms} < ${iat} * 1000 + 1000 THEN ${ms} ELSE ${iat} * 1000 END`
}

/**
 * A family table of the v2 schema gets its login instant: for a family made before v3, the issue
 * instant of its current refresh token (PROTOCOL v3).
 */
export function loginInstantMigration(dialect: Dialect, family = tables(dialect).family): string[] {
  const instant = jtiInstantSql(dialect, 'current_jti', 'current_iat')
  return dialect === 'sqlite'
    ? [`ALTER TABLE ${family} ADD COLUMN auth_time_ms INTEGER NOT NULL DEFAULT 0`, `UPDATE ${family} SET auth_time_ms = ${instant}`]
    : [`ALTER TABLE ${family} ADD COLUMN auth_time_ms bigint`, `UPDATE ${family} SET auth_time_ms = ${instant}`, `ALTER TABLE ${family} ALTER COLUMN auth_time_ms SET NOT NULL`]
}

/**
 * From the v2 schema (version 1) to v3's: families get their login instant, and each subject's
 * cut-off is kept by key for rotations. The store then escapes any legacy text that starts with
 * the escape marker (`legacyTextEscapes`), in the same transaction.
 */
export function migrationToV3(dialect: Dialect): string[] {
  const { revocation, subject } = tables(dialect)
  return [
    ...loginInstantMigration(dialect),
    subjectTable(dialect),
    `CREATE INDEX ${subject}_expiry ON ${subject} (expires_at)`,
    `CREATE INDEX ${revocation}_jti ON ${revocation} (jti)`,
    `INSERT INTO ${subject} (sub, cutoff_ms, expires_at)
      SELECT sub, MAX(cutoff_ms), MAX(expires_at) FROM ${revocation} WHERE sub IS NOT NULL AND cutoff_ms IS NOT NULL GROUP BY sub`,
  ]
}

/**
 * A v2 store kept texts as they came, so one that began with the escape marker would now read back
 * as another string: each pair selects such texts (`key`, `text`) and rewrites one (`$1` the
 * escaped text, `$2` the key), in the migration's transaction. Practically never any.
 */
export function legacyTextEscapes(dialect: Dialect): Array<{ select: string; update: string }> {
  const { revocation, subject } = tables(dialect)
  const [a, b] = dialect === 'sqlite' ? ['?', '?'] : ['$1', '$2']
  const starts = (column: string) => (dialect === 'sqlite' ? `substr(${column}, 1, 1) = char(27)` : `left(${column}, 1) = chr(27)`)
  return [
    ...['jti', 'sub'].map((column) => ({
      select: `SELECT seq AS key, ${column} AS text FROM ${revocation} WHERE ${starts(column)}`,
      update: `UPDATE ${revocation} SET ${column} = ${a} WHERE seq = ${b}`,
    })),
    { select: `SELECT sub AS key, sub AS text FROM ${subject} WHERE ${starts('sub')}`, update: `UPDATE ${subject} SET sub = ${a} WHERE sub = ${b}` },
  ]
}

/** Marks a stored text that had to be escaped (it starts every escaped text, and nothing else). */
const ESCAPED = '\u001b'
/** What a store cannot keep as it is: a NUL (PostgreSQL refuses it, node:sqlite cuts the text there) or a lone surrogate (UTF-8 cannot carry it). */
const UNSTORABLE = /\0|\p{Cs}/u

/**
 * A client's string (a `sub`, a `jti`) as a store keeps it: unchanged when every store keeps it
 * as it is, else escaped as the marker and its JSON text, which holds any string in plain ASCII
 * escapes. Injective, so revoking one subject never touches another.
 */
export function storedText(text: string): string {
  return text.startsWith(ESCAPED) || UNSTORABLE.test(text) ? ESCAPED + JSON.stringify(text) : text
}

/** The string `storedText` made this from. */
export function textFromStore(stored: string): string {
  return stored.startsWith(ESCAPED) ? (JSON.parse(stored.slice(ESCAPED.length)) as string) : stored
}

/** The latest expiry a store keeps: a NumericDate beyond it (`1e300`) is kept as forever. */
const FOREVER = Number.MAX_SAFE_INTEGER

/** An expiry (seconds) as stores keep it: whole (rounded up, never earlier) and within an integer column. */
export function storedExpiry(seconds: number): number {
  return Number.isNaN(seconds) ? FOREVER : Math.min(Math.ceil(seconds), FOREVER)
}
