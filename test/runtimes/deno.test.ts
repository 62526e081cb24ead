// The core cases in Deno: spawns `deno test` (the `deno` devDependency's binary) on deno_entry.ts
// and checks Deno ran and passed every case. A missing Deno fails here; it is never skipped.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cases } from './cases.ts'
import { MIN_CASES } from './register.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DENO = join(ROOT, 'node_modules', '.bin', 'deno')

describe('core cases in deno', () => {
  it('deno test runs and passes every case', () => {
    expect(existsSync(DENO), 'the deno devDependency is not installed: run npm install').toBe(true)
    const result = spawnSync(DENO, ['test', '--no-prompt', 'test/runtimes/deno_entry.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    })
    const output = `${result.stdout}\n${result.stderr}`
    expect(result.status, output).toBe(0)
    const summary = /^ok \| (\d+) passed \| 0 failed/m.exec(output)
    expect(summary, output).not.toBeNull()
    const passed = Number(summary![1])
    expect(passed).toBe(cases.length)
    expect(passed).toBeGreaterThanOrEqual(MIN_CASES)
    console.info(`deno: ${passed} of ${cases.length} core cases passed (${/^deno \S+/m.exec(spawnSync(DENO, ['--version'], { encoding: 'utf8' }).stdout)?.[0] ?? 'deno'})`)
  }, 120_000)
})
