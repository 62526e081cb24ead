// `npm run build`: the publishable package and the inspector's copy of the core.
//  1. dist/: ESM + .d.ts of src/ (core, hallpass/hono, hallpass/node) with tsc -p tsconfig.build.json;
//  2. dist/**/*.d.ts: relative `./x.ts` specifiers rewritten to `./x.js` (tsc rewrites them in the
//     JavaScript it emits, not in declarations), so consumers' TypeScript resolves them;
//  3. inspector/public/hallpass.js: the core bundled for browsers with esbuild, the one
//     script the inspector page loads (scripts/build-inspector.ts; generated, git-ignored).
import { spawnSync } from 'node:child_process'
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildInspectorBundle } from './build-inspector.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = join(ROOT, 'dist')

/** Rewrites relative `.ts` specifiers of a declaration file to `.js`. */
export function rewriteDeclaration(text: string): string {
  return text.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*?)\.ts\2/g, '$1$2$3.js$2')
}

rmSync(DIST, { recursive: true, force: true })
const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' })
if (tsc.status !== 0) process.exit(tsc.status ?? 1)

let declarations = 0
for (const entry of readdirSync(DIST, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue
  const file = join(entry.parentPath, entry.name)
  const text = readFileSync(file, 'utf8')
  const rewritten = rewriteDeclaration(text)
  if (rewritten !== text) writeFileSync(file, rewritten)
  declarations++
}
chmodSync(join(DIST, 'node', 'main.js'), 0o755)

await buildInspectorBundle()
console.log(`hallpass: built dist/ (${declarations} declaration files) and inspector/public/hallpass.js`)
