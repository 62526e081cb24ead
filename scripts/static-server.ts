// A static file server on 127.0.0.1 for local pages (the inspector, the browser example): it serves
// only the files `resolve` maps a URL path to, with the headers given, and logs nothing.
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname } from 'node:path'
import process from 'node:process'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
}

export interface StaticServer {
  url: string
  server: Server
  close(): Promise<void>
}

export interface StaticServerOptions {
  /** The file to answer a URL path with, or undefined for a 404. */
  resolve(path: string): string | undefined
  headers?: Readonly<Record<string, string>>
  /** Shown when a file the server should have cannot be read. */
  missingHint?: string
  port?: number
  host?: string
}

export async function startStaticServer({ resolve, headers = {}, missingHint = '', port = 0, host = '127.0.0.1' }: StaticServerOptions): Promise<StaticServer> {
  const server = createServer(async (request, response) => {
    const readable = request.method === 'GET' || request.method === 'HEAD'
    let file: string | undefined
    try {
      file = readable ? resolve(new URL(request.url ?? '/', 'http://local').pathname) : undefined
    } catch {
      file = undefined // a path that does not even decode (a stray %): not one of ours
    }
    if (file === undefined) {
      response.writeHead(readable ? 404 : 405, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers })
      response.end('not found\n')
      return
    }
    try {
      const body = await readFile(file)
      response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', ...headers })
      response.end(request.method === 'HEAD' ? undefined : body)
    } catch {
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      response.end(`cannot read ${extname(file) ? file.split('/').pop() : 'the file'}${missingHint ? `: ${missingHint}` : ''}\n`)
    }
  })
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolveListen())
  })
  const address = server.address() as AddressInfo
  return {
    url: `http://${host}:${address.port}/`,
    server,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}

/** The port a command line asks for: `--port N`, else PORT, else `fallback`. */
export function portFromArgs(fallback: number): number {
  const flag = process.argv.indexOf('--port')
  return Number(flag >= 0 ? process.argv[flag + 1] : (process.env.PORT ?? fallback))
}
