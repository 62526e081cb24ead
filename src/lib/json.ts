// Bounds on JSON values that come from outside (request messages, token segments, issued claims).
// JSON.parse itself is iterative, but everything after it that walks a value recursively
// (JSON.stringify, structuredClone, freezing) overflows the stack somewhere between 2 000 and
// 6 000 levels. A fixed bound far below that keeps every such walk safe on every runtime.

/** Deepest nesting of objects and arrays accepted anywhere; the outermost value is level 1. */
export const MAX_JSON_DEPTH = 64

/** Why a value cannot be carried through unchanged, or undefined when it can. */
export type JsonProblem = 'too_deep' | 'not_finite'

/**
 * Walks `value` at most `maxDepth` levels down (so the walk itself never recurses deeper than
 * that). With `finiteNumbers`, a number JSON cannot write back (Infinity, NaN: what `1e400`
 * parses to) is a problem too.
 */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH, finiteNumbers = false): JsonProblem | undefined {
  if (typeof value === 'number') return finiteNumbers && !Number.isFinite(value) ? 'not_finite' : undefined
  if (typeof value !== 'object' || value === null) return undefined
  if (maxDepth === 0) return 'too_deep'
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, maxDepth - 1, finiteNumbers)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  for (const key in value) {
    const problem = jsonProblem((value as Record<string, unknown>)[key], maxDepth - 1, finiteNumbers)
    if (problem !== undefined) return problem
  }
  return undefined
}
