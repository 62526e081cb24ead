// The refresh rotation rule, once, for every store.
import type { FamilyRecord, RotateRequest, RotateResult } from './types.ts'

/**
 * The rotation rule on one family record, changed in place: the reference every store follows
 * (the memory store, SQLite and the Durable Object call it on the record they read inside their
 * atomic step; PostgreSQL's one-statement fast path is the same rule in SQL). `cutoffMs` is the
 * family's subject's live cut-off, read in the same atomic step: a family logged in before it is
 * revoked for good, so no interleaving with `revoke_subject` lets it rotate past the revocation.
 */
export function applyRotation(family: FamilyRecord, { generation, next, now, reuseInterval }: RotateRequest, cutoffMs?: number): RotateResult {
  if (cutoffMs !== undefined && family.authTimeMs < cutoffMs) {
    family.revoked = true
    return { status: 'revoked' }
  }
  if (generation < family.generation) {
    const predecessor = generation === family.generation - 1
    if (predecessor && !family.revoked && reuseInterval > 0 && now - family.rotatedAt <= reuseInterval) {
      return { status: 'grace', claims: family.claims, authTimeMs: family.authTimeMs, current: family.current }
    }
    family.revoked = true
    return { status: 'reused' }
  }
  if (family.revoked || generation !== family.generation) return { status: 'revoked' }
  family.generation = generation + 1
  family.current = next
  family.rotatedAt = now
  return { status: 'rotated', claims: family.claims, authTimeMs: family.authTimeMs }
}

/** Whether a rotation result changed the record (and the store must write it back). */
export function rotationChanged(before: { revoked: boolean; generation: number }, after: FamilyRecord): boolean {
  return before.revoked !== after.revoked || before.generation !== after.generation
}
