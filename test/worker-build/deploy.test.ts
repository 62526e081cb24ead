// `wrangler deploy --dry-run`: the edge worker and the example Worker bundle as they would deploy
// (no network, no account). Reports the bundle size and keeps it in check, and checks that the
// deploy builds the inspector's copy of the core itself (wrangler.toml [build]: it is not in git).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
const scratch = mkdtempSync(join(tmpdir(), 'hallpass-deploy-'))

afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function dryRun(config: string, name: string): { output: string; bundle: string; upload: string } {
  const outdir = join(scratch, name)
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HALLPASS_') && !key.startsWith('CLOUDFLARE_')))
  const result = spawnSync(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--config', config, '--outdir', outdir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_LOG_PATH: join(scratch, 'logs'), NO_COLOR: '1', CI: '1' },
  })
  const output = `${result.stdout}\n${result.stderr}`
  expect(result.status, output).toBe(0)
  const bundle = join(outdir, 'index.js')
  expect(existsSync(bundle), output).toBe(true)
  const upload = /Total Upload: ([\d.]+ KiB \/ gzip: [\d.]+ KiB)/.exec(output)?.[1] ?? 'unknown'
  console.info(`${name}: wrangler deploy --dry-run bundle ${upload}`)
  return { output, bundle: readFileSync(bundle, 'utf8'), upload }
}

describe('wrangler deploy --dry-run', () => {
  it('bundles the edge worker with its Durable Objects and RPC entrypoint', () => {
    const { output, bundle, upload } = dryRun('wrangler.toml', 'hallpass')
    expect(output).toMatch(/env\.REFRESH_FAMILIES \(RefreshFamilies\)\s+Durable Object/)
    expect(output).toMatch(/env\.REVOCATIONS \(Revocations\)\s+Durable Object/)
    // The static assets: the inspector's page, its script and style, and the core bundled for it.
    expect(output).toContain('[custom build] Running: npm run --silent build:inspector')
    expect(output).toMatch(/Read 4 files from the assets directory/)
    expect(bundle).toMatch(/export\s*\{[^}]*\bTokenService\b/)
    expect(bundle).not.toMatch(/from\s*["']node:/)
    // Under 1 MiB raw: far from the Workers size limits, and quick to start.
    expect(Buffer.byteLength(bundle)).toBeLessThan(1024 * 1024)
    expect(upload).not.toBe('unknown')
  })

  it('bundles examples/protected-api', () => {
    const { bundle } = dryRun('examples/protected-api/wrangler.toml', 'protected-api')
    expect(bundle).toContain('hallpassAuth')
  })
})
