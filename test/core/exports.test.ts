// The package's public API is what docs/library.md documents, and no more: every name `hallpass`,
// `hallpass/hono` and `hallpass/node` export at run time is in its table, and nothing internal
// (src/internal.ts) leaks into `hallpass`.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const LIBRARY = readFileSync(new URL('../../docs/library.md', import.meta.url), 'utf8')

/** The run-time names of one entry point's row in docs/library.md's table: each in backticks (types are named in plain words). */
function documented(entry: string): string[] {
  const row = LIBRARY.split('\n').find((line) => line.startsWith(`| \`${entry}\` |`))
  if (row === undefined) throw new Error(`docs/library.md has no row for ${entry}`)
  return [...row.split('|')[2]!.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((match) => match[1]!).sort()
}

describe('the public API', () => {
  it.each([
    ['hallpass', () => import('../../src/index.ts')],
    ['hallpass/hono', () => import('../../src/hono.ts')],
    ['hallpass/node', () => import('../../src/node/index.ts')],
  ])('%s exports exactly what docs/library.md documents', async (entry, load) => {
    expect(Object.keys(await load()).sort()).toEqual(documented(entry))
  })

  it('keeps the internals out of hallpass', async () => {
    const exported = new Set(Object.keys(await import('../../src/index.ts')))
    for (const name of ['SETTINGS', 'applyRotation', 'timedId', 'errorBody', 'DEFAULTS', 'readSetting', 'fetchJwks', 'checkTrustedIssuers', 'RemoteKeySet', 'TokenError']) expect(exported.has(name), name).toBe(false)
  })
})
