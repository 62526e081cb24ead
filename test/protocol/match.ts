// The conformance files' matching rule: an expected string is a regular expression over the
// whole actual value; an expected object matches when each of its fields matches (replies may
// carry more); anything else must be equal.
export function matches(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'string') return typeof actual === 'string' && new RegExp(`^(?:${expected})$`, 's').test(actual)
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(e, actual[i]))
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false
    return Object.entries(expected).every(([key, value]) => matches(value, (actual as Record<string, unknown>)[key]))
  }
  return Object.is(expected, actual)
}
