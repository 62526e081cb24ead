// Registers the runtime-neutral core cases (cases.ts) as vitest tests, for the three runtimes
// vitest drives: Node, workerd and Chromium. Deno runs the same cases through deno_entry.ts.
import { afterAll, describe, expect, it } from 'vitest'
import { cases } from './cases.ts'

/** The number of cases every runtime must run: a case list that shrinks by accident fails here. */
export const MIN_CASES = 90

export function registerCases(runtime: string, isThisRuntime: () => boolean): void {
  describe(`core cases in ${runtime}`, () => {
    let passed = 0
    it(`runs inside ${runtime}`, () => {
      expect(isThisRuntime()).toBe(true)
      expect(cases.length).toBeGreaterThanOrEqual(MIN_CASES)
    })
    for (const c of cases) {
      it(c.name, async () => {
        await c.run()
        passed++
      })
    }
    afterAll(() => {
      console.info(`${runtime}: ${passed} of ${cases.length} core cases passed`)
    })
  })
}
