// The inspector's copy of the core: src/internal.ts bundled for browsers with esbuild into
// inspector/public/hallpass.js, the one script the page loads besides its own. Generated, never in
// git (.gitignore): `npm run build` writes it, and so does every command that serves the page
// (`npm run inspector`, `npm run dev` and `npm run deploy` through wrangler.toml's [build]), so
// what is served is always the core of this checkout. Run alone: `npm run build:inspector`.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Where the bundle goes: beside the page's own files, which the Worker serves as static assets. */
export const INSPECTOR_BUNDLE = join(ROOT, 'inspector', 'public', 'hallpass.js')

/**
 * Bundles the core for the inspector page. The file is written beside the page and renamed into
 * place: builds running at the same moment (several `wrangler dev`, tests) never let a server read
 * half a bundle, and the temporary file is never in the assets directory.
 */
export async function buildInspectorBundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'internal.ts')],
    outfile: INSPECTOR_BUNDLE,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    banner: { js: '// The hallpass core (src/internal.ts) bundled for the inspector by scripts/build-inspector.ts. Generated, not in git: do not edit.' },
    logLevel: 'warning',
    write: false,
  })
  const bundle = result.outputFiles[0]!
  mkdirSync(join(ROOT, 'inspector', 'public'), { recursive: true })
  const temporary = join(ROOT, 'inspector', `.hallpass.js.${process.pid}.tmp`)
  try {
    writeFileSync(temporary, bundle.contents)
    renameSync(temporary, INSPECTOR_BUNDLE)
  } finally {
    rmSync(temporary, { force: true })
  }
  return INSPECTOR_BUNDLE
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildInspectorBundle()
