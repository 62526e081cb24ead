// A tiny assertion helper for the runtime-neutral cases: no test framework, no Node module, so the
// same cases run under vitest (Node, workerd, Chromium) and under `deno test`.
import { TokenError } from '../../src/internal.ts'

export class AssertionFailed extends Error {
  override name = 'AssertionFailed'
}

export function fail(message: string): never {
  throw new AssertionFailed(message)
}

export function ok(value: unknown, message: string): asserts value {
  if (!value) fail(message)
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** Structural equality of JSON-like values (objects, arrays, primitives). */
export function deepEqual(actual: unknown, expected: unknown): boolean {
  if (Object.is(actual, expected)) return true
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) return false
  if (Array.isArray(actual) !== Array.isArray(expected)) return false
  const a = actual as Record<string, unknown>
  const e = expected as Record<string, unknown>
  const keys = Object.keys(e)
  return keys.length === Object.keys(a).length && keys.every((key) => Object.hasOwn(a, key) && deepEqual(a[key], e[key]))
}

export function equal(actual: unknown, expected: unknown, what = 'value'): void {
  if (!deepEqual(actual, expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`)
}

/** Every field of `expected` is deep-equal in `actual` (which may carry more). */
export function includes(actual: unknown, expected: Record<string, unknown>, what = 'value'): void {
  if (typeof actual !== 'object' || actual === null) fail(`${what}: expected an object, got ${show(actual)}`)
  for (const [key, value] of Object.entries(expected)) {
    if (!deepEqual((actual as Record<string, unknown>)[key], value)) fail(`${what}.${key}: expected ${show(value)}, got ${show((actual as Record<string, unknown>)[key])}`)
  }
}

/** Resolves to the TokenError code the promise rejects with ('ok' when it resolves). */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    if (error instanceof TokenError) return error.code
    throw error
  }
}

/** The promise must reject with a TokenError of this code. */
export async function rejectsWith(promise: Promise<unknown>, code: string, what = 'token'): Promise<void> {
  const got = await outcome(promise)
  if (got !== code) fail(`${what}: expected ${code}, got ${got}`)
}
