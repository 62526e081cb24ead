// The conformance cases are public RFC data kept in the repository (test/fixtures/conformance), and
// the contract is kept as docs/PROTOCOL.md, so a plain clone tests and reads without anything beside
// it. Where the project's shared folder sits next to the checkout, this compares the copies with it
// and reports any difference; without it, only these comparisons are skipped.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const FIXTURES = fileURLToPath(new URL('../fixtures/conformance', import.meta.url))
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The project's shared folder, beside the checkout when there is one. */
const SHARED = join(ROOT, '..', 'shared', 'conformance')
const SHARED_PROTOCOL = join(ROOT, '..', 'shared', 'PROTOCOL.md')

const jsonFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.json')).sort()

describe('conformance fixtures', () => {
  it('are in the repository and parse as JSON', () => {
    const files = jsonFiles(FIXTURES)
    expect(files).toEqual(expect.arrayContaining(['rfc7515-a1.json', 'rfc7515-a3.json', 'rfc8037-a4.json', 'seed-samples.json']))
    for (const file of files) expect(() => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')), file).not.toThrow()
  })

  it.skipIf(!existsSync(SHARED))('match ../shared/conformance, file for file', () => {
    expect(jsonFiles(FIXTURES), 'the same files').toEqual(jsonFiles(SHARED))
    for (const file of jsonFiles(SHARED)) {
      const ours = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'))
      const theirs = JSON.parse(readFileSync(join(SHARED, file), 'utf8'))
      expect(ours, `${file} differs from ../shared/conformance/${file}: copy it into test/fixtures/conformance`).toEqual(theirs)
    }
  })

  it.skipIf(!existsSync(SHARED_PROTOCOL))('docs/PROTOCOL.md is the shared PROTOCOL.md', () => {
    expect(readFileSync(join(ROOT, 'docs', 'PROTOCOL.md'), 'utf8'), 'copy ../shared/PROTOCOL.md to docs/PROTOCOL.md').toBe(readFileSync(SHARED_PROTOCOL, 'utf8'))
  })
})
