// `npm run inspector`: bundles the core for the page (inspector/public/hallpass.js, generated, not
// in git), then serves inspector/public on 127.0.0.1 (port 8788, or --port N / PORT). Only the
// page's own files, with the inspector's security headers; nothing is logged.
import { join } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { buildInspectorBundle } from '../scripts/build-inspector.ts'
import { portFromArgs, startStaticServer, type StaticServer } from '../scripts/static-server.ts'
import { INSPECTOR_HEADERS } from './headers.ts'

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url))
/** The files the page is made of: nothing else is served. */
const FILES = new Set(['index.html', 'inspector.js', 'hallpass.js', 'style.css'])

export type InspectorServer = StaticServer

export function startInspectorServer(port = 8788, host = '127.0.0.1'): Promise<InspectorServer> {
  return startStaticServer({
    resolve(path) {
      const name = path === '/' ? 'index.html' : path.slice(1)
      return FILES.has(name) ? join(PUBLIC, name) : undefined
    },
    headers: INSPECTOR_HEADERS,
    missingHint: 'run npm run build:inspector',
    port,
    host,
  })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildInspectorBundle()
  const { url } = await startInspectorServer(portFromArgs(8788))
  console.log(`hallpass inspector: ${url} (127.0.0.1 only; Ctrl-C stops it)`)
}
