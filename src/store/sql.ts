// Refresh families in SQLite's dialect, on any synchronous SQL connection: node:sqlite for the file
// store, `ctx.storage.sql` for the edge's Durable Objects. Each operation runs inside its caller's
// atomic step (a transaction, or a Durable Object's single thread), so a read and the write that
// follows it cannot be interleaved by another writer.
import { applyRotation, rotationChanged } from './rotation.ts'
import { FAMILY_COLUMNS, familyRecord, familyTable, familyValues, loginInstantMigration, tables, type FamilyRow } from './schema.ts'
import type { FamilyRecord, RotateRequest, RotateResult } from './types.ts'

export type SqlValue = string | number | null

/** A synchronous SQL connection: what both SQLite hosts offer, reduced to three calls. */
export interface SqlConnection {
  /** Runs a statement; the number of rows it changed. */
  run(sql: string, ...params: SqlValue[]): number
  get<T>(sql: string, ...params: SqlValue[]): T | undefined
  all<T>(sql: string, ...params: SqlValue[]): T[]
}

const FAMILY = tables('sqlite').family
const SUBJECT = tables('sqlite').subject
const INSERT_FAMILY = `INSERT OR REPLACE INTO ${FAMILY} (${FAMILY_COLUMNS.join(', ')}) VALUES (${FAMILY_COLUMNS.map(() => '?').join(', ')})`
const SELECT_FAMILY = `SELECT ${FAMILY_COLUMNS.slice(1).join(', ')} FROM ${FAMILY} WHERE id = ?`
const UPDATE_FAMILY = `UPDATE ${FAMILY} SET generation = ?, revoked = ?, current_jti = ?, current_iat = ?, expires_at = ?, rotated_at = ? WHERE id = ?`

export class SqlFamilies {
  readonly #db: SqlConnection

  constructor(db: SqlConnection) {
    this.#db = db
  }

  create(id: string, record: FamilyRecord): void {
    this.#db.run(INSERT_FAMILY, ...(familyValues(id, record, 'sqlite') as SqlValue[]))
  }

  /** The family, expired or not; undefined when unknown. */
  get(id: string): FamilyRecord | undefined {
    const row = this.#db.get<FamilyRow>(SELECT_FAMILY, id)
    return row === undefined ? undefined : familyRecord(row)
  }

  /**
   * TokenStore.rotateFamily on the stored row, `cutoffMs` being the subject's cut-off as read in
   * the same atomic step (`cutoffOf`, or the subject's own object at the edge).
   */
  rotate(id: string, request: RotateRequest, cutoffMs: number | undefined): RotateResult {
    const family = this.get(id)
    if (family === undefined || family.current.exp <= request.now) return { status: 'unknown' }
    const before = { revoked: family.revoked, generation: family.generation }
    const result = applyRotation(family, request, cutoffMs)
    if (rotationChanged(before, family)) {
      const { current } = family
      this.#db.run(UPDATE_FAMILY, family.generation, family.revoked ? 1 : 0, current.jti, current.iat, current.exp, family.rotatedAt, id)
    }
    return result
  }

  /** Revokes a live family; false if it is unknown or expired. */
  revoke(id: string, now: number): boolean {
    return this.#db.run(`UPDATE ${FAMILY} SET revoked = 1 WHERE id = ? AND expires_at > ?`, id, now) > 0
  }

  /** The subject's live cut-off from the subject table (the file store; stored text as `storedText` makes it). */
  cutoffOf(storedSub: string | undefined, now: number): number | undefined {
    if (storedSub === undefined) return undefined
    return this.#db.get<{ cutoff_ms: number }>(`SELECT cutoff_ms FROM ${SUBJECT} WHERE sub = ? AND expires_at > ?`, storedSub, now)?.cutoff_ms
  }

  /**
   * Makes the family table where there is none (a Durable Object's first call, or its first after
   * the expiry alarm wiped it), and brings one of the v2 schema (no login instant) up to v3's.
   */
  static ensureTable(db: SqlConnection): void {
    db.run(familyTable('sqlite').replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS'))
    try {
      db.all(`SELECT auth_time_ms FROM ${FAMILY} LIMIT 0`)
    } catch {
      for (const statement of loginInstantMigration('sqlite')) db.run(statement)
    }
  }
}
