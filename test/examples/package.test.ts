// The publishable package, as a user gets it: `npm pack` of what `npm run build` made (npm test
// builds before vitest runs), publint and attw on the tarball, then the tarball installed into an
// empty project where the Node and Deno examples, the `hallpass` bin and a TypeScript consumer of
// all three entry points must work. The install is offline and needs nothing from the npm cache:
// each runtime dependency is packed from the project's own node_modules and installed beside it.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'node_modules', '.bin')
const scratch = mkdtempSync(join(tmpdir(), 'hallpass-package-'))
const consumer = join(scratch, 'consumer')

/** The environment for child npm/node/deno: Node 22 first on PATH, no npm_config_* of the parent run but the cache. */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || /^npm_config_cache$/i.test(key)))
  return { ...env, PATH: `${dirname(process.execPath)}:${BIN}:${process.env.PATH ?? ''}`, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 90_000, env: childEnv(), ...options })
  const output = `${String(result.stdout)}\n${String(result.stderr)}`
  expect(result.status, `${command} ${args.join(' ')}\n${output}`).toBe(0)
  return String(result.stdout)
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('the package', () => {
  /** `npm pack` of dist/: the tarball, its size and the paths it holds. */
  let pack: { tarball: string; size: number; paths: string[] }
  beforeAll(() => {
    expect(existsSync(join(ROOT, 'dist', 'index.js')), 'dist/ is missing: run `npm run build` (npm test does)').toBe(true)
    const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch])) as Array<{ filename: string; size: number; files: Array<{ path: string }> }>
    pack = { tarball: join(scratch, packed!.filename), size: packed!.size, paths: packed!.files.map((f) => f.path) }
  }, 90_000)

  it('dist/ is built from the current sources', async () => {
    const built = await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)
    const source = await import('../../src/index.ts')
    expect(Object.keys(built).sort(), 'dist/ is stale: run `npm run build`').toEqual(Object.keys(source).sort())
    const declarations = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'))
    expect(declarations.length).toBeGreaterThan(10)
    for (const file of declarations) {
      expect(readFileSync(join(ROOT, 'dist', file), 'utf8'), file).not.toMatch(/['"]\.\.?\/[^'"]*\.ts['"]/)
    }
    const main = join(ROOT, 'dist', 'node', 'main.js')
    expect(readFileSync(main, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(statSync(main).mode & 0o111).not.toBe(0)
  })

  it('npm pack ships dist, README, LICENSE and package.json only', () => {
    for (const path of pack.paths) expect(path).toMatch(/^(dist\/.+\.(js|d\.ts)|README\.md|LICENSE|package\.json)$/)
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/hono.js', 'dist/hono.d.ts', 'dist/node/index.js', 'dist/node/main.js', 'package.json', 'README.md', 'LICENSE']) expect(pack.paths).toContain(needed)
    console.info(`npm pack: ${pack.paths.length} files, ${(pack.size / 1024).toFixed(1)} KiB packed`)
  })

  it('publint finds nothing to report', () => {
    const output = run(join(BIN, 'publint'), ['run', pack.tarball, '--strict'])
    expect(output).toMatch(/All good/)
  })

  it('are-the-types-wrong passes for an ESM-only package', () => {
    run(join(BIN, 'attw'), [pack.tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color'])
  })

  it('runs examples/deno in the repository, hallpass mapped to dist/ by its deno.json', () => {
    const out = JSON.parse(run(join(BIN, 'deno'), ['run', '--no-prompt', 'main.ts'], { cwd: join(ROOT, 'examples', 'deno') }))
    expect(out).toMatchObject({ sub: 'user123', revoked: 'token_revoked' })
  })

  describe('installed into an empty project (offline, dependencies from our node_modules, an empty cache)', () => {
    beforeAll(() => {
      mkdirSync(consumer)
      writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
      const { dependencies = {} } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
      const deps = Object.keys(dependencies).map((name) => {
        const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch, join(ROOT, 'node_modules', name)])) as Array<{ filename: string }>
        return join(scratch, packed!.filename)
      })
      // A cache of its own, empty: whatever this machine's npm cache holds cannot make it pass.
      const cache = join(scratch, 'npm-cache')
      run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', pack.tarball, ...deps], { cwd: consumer, env: { ...childEnv(), npm_config_cache: cache } })
    }, 90_000)

    it('holds the package and its dependencies', () => {
      expect(existsSync(join(consumer, 'node_modules', 'hallpass', 'dist', 'index.js'))).toBe(true)
      expect(existsSync(join(consumer, 'node_modules', 'hono', 'package.json'))).toBe(true)
      // postgres.js is an optional peer: installed only by whoever uses a postgres:// store.
      expect(existsSync(join(consumer, 'node_modules', 'postgres'))).toBe(false)
    })

    it('runs examples/node against the installed package', () => {
      copyFileSync(join(ROOT, 'examples', 'node', 'main.mjs'), join(consumer, 'main.mjs'))
      const out = JSON.parse(run(process.execPath, ['main.mjs'], { cwd: consumer }))
      expect(out).toMatchObject({ sub: 'user123', iss: 'https://auth.example', expires_in: 900, reuse: 'refresh_token_reused', reply: 'token_valid' })
    })

    it('runs examples/deno against the installed package (Deno resolving it from node_modules)', () => {
      copyFileSync(join(ROOT, 'examples', 'deno', 'main.ts'), join(consumer, 'deno-main.ts'))
      const out = JSON.parse(run(join(BIN, 'deno'), ['run', '--no-prompt', 'deno-main.ts'], { cwd: consumer }))
      expect(out).toMatchObject({ sub: 'user123', alg: 'HS256', expires_in: 60, revoked: 'token_revoked' })
      expect(out.runtime).toMatch(/^deno /)
    })

    it('the hallpass bin works from dist (shebang kept)', () => {
      const bin = join(consumer, 'node_modules', '.bin', 'hallpass')
      expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node')
      expect(run(bin, ['--help'], { cwd: consumer })).toMatch(/HALLPASS_SECRET/)
      const reply = run(bin, [], { cwd: consumer, input: '{"type":"inspect_token","msg_id":1,"token":"x"}\n', env: { ...childEnv(), HALLPASS_SECRET: 'x'.repeat(32) } })
      expect(JSON.parse(reply)).toMatchObject({ type: 'token_invalid', in_reply_to: 1, code: 'malformed_token' })
    })

    it("a TypeScript consumer type-checks against the package's declarations (NodeNext)", () => {
      writeFileSync(join(consumer, 'check.ts'), [
        "import { createHallpass, errors, type Hallpass, type JsonObject } from 'hallpass'",
        "import { hallpass, type HallpassEnv } from 'hallpass/hono'",
        "import { nodeCrypto, serve } from 'hallpass/node'",
        "const hp: Hallpass = await createHallpass({ secret: 'x'.repeat(32), crypto: nodeCrypto })",
        'const claims: JsonObject = await hp.verify((await hp.issue({ sub: "u" })).access_token)',
        "const middleware = hallpass({ secret: 'x'.repeat(32) })",
        'const TokenError = errors.TokenError',
        'export { claims, middleware, serve, TokenError }',
        '// @ts-expect-error: internal, not part of the package',
        "import { SETTINGS } from 'hallpass'",
        'export type { HallpassEnv }',
        '// @ts-expect-error: the options are typed',
        "await createHallpass({ accessTtl: '900' })",
      ].join('\n'))
      writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, lib: ['es2022', 'dom'], types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
        files: ['check.ts'],
      }))
      run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: consumer })
    })
  })
})
