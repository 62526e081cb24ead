// `npm run example:browser`: serves this page and the built package on 127.0.0.1 (port 8789, or
// --port N / PORT): /examples/browser/* and /dist/*.js, nothing else. The page's import map sends
// `hallpass` to /dist/index.js, exactly as a static server of the repository would.
import { join, normalize } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { portFromArgs, startStaticServer, type StaticServer } from '../../scripts/static-server.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export function startBrowserExample(port = 8789, host = '127.0.0.1'): Promise<StaticServer> {
  return startStaticServer({
    resolve(path) {
      const relative = normalize(decodeURIComponent(path === '/' ? '/examples/browser/index.html' : path)).replace(/^\/+/, '')
      const file = relative.endsWith('/') ? `${relative}index.html` : relative
      return /^(examples\/browser\/[\w.-]+|dist\/[\w./-]+\.js)$/.test(file) && !file.includes('..') ? join(ROOT, file) : undefined
    },
    missingHint: 'run npm run build',
    port,
    host,
  })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { url } = await startBrowserExample(portFromArgs(8789))
  console.log(`hallpass browser example: ${url} (127.0.0.1 only; Ctrl-C stops it)`)
}
