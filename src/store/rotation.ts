// The refresh rotation rule, once, for every store.
import type { FamilyRecord, RotateRequest, RotateResult } from './types.ts'

/**
 * The rotation rule on one family record, changed in place: the reference every store follows
 * (the memory store calls it directly; the Durable Object store runs the same steps in SQL).
 */
export function applyRotation(family: FamilyRecord, { generation, next, now, reuseInterval }: RotateRequest): RotateResult {
  if (generation < family.generation) {
    const predecessor = generation === family.generation - 1
    if (predecessor && !family.revoked && reuseInterval > 0 && now - family.rotatedAt <= reuseInterval) {
      return { status: 'grace', claims: family.claims, current: family.current }
    }
    family.revoked = true
    return { status: 'reused' }
  }
  if (family.revoked || generation !== family.generation) return { status: 'revoked' }
  family.generation = generation + 1
  family.current = next
  family.rotatedAt = now
  return { status: 'rotated', claims: family.claims }
}
