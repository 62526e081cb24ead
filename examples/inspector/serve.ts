// `npm run inspector`: serves examples/inspector/public on 127.0.0.1 (port 8788, or --port N /
// PORT). Only the page's own files, with the inspector's security headers; nothing is logged.
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { INSPECTOR_HEADERS } from './headers.ts'

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url))
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}
/** The files the page is made of: nothing else is served. */
const FILES = new Set(['index.html', 'inspector.js', 'hallpass.js', 'style.css'])

export interface InspectorServer {
  url: string
  server: Server
  close(): Promise<void>
}

export async function startInspectorServer(port = 8788, host = '127.0.0.1'): Promise<InspectorServer> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://inspector').pathname
    const name = path === '/' ? 'index.html' : path.slice(1)
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !FILES.has(name)) {
      response.writeHead(request.method === 'GET' || request.method === 'HEAD' ? 404 : 405, { 'Content-Type': 'text/plain; charset=utf-8', ...INSPECTOR_HEADERS })
      response.end('not found\n')
      return
    }
    try {
      const body = await readFile(join(PUBLIC, name))
      response.writeHead(200, { 'Content-Type': TYPES[extname(name)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache', ...INSPECTOR_HEADERS })
      response.end(request.method === 'HEAD' ? undefined : body)
    } catch {
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      response.end(`cannot read ${name}: run npm run build\n`)
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  return {
    url: `http://${host}:${address.port}/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flag = process.argv.indexOf('--port')
  const port = Number(flag >= 0 ? process.argv[flag + 1] : (process.env.PORT ?? 8788))
  const { url } = await startInspectorServer(port)
  console.log(`hallpass inspector: ${url} (127.0.0.1 only; Ctrl-C stops it)`)
}
