// A JWKS server of the tests' own on 127.0.0.1 that counts its requests: each route `/jwks/<name>`
// answers as configured (a JWK Set, a status, a delay, a redirect, a body over the bound). Node
// tests drive it directly; tests inside workerd drive it over HTTP (`/control/<name>`, see
// jwks-control.ts), since their fetches reach it over the loopback network like any issuer's.
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JwksRoute } from './jwks-control.ts'

export interface JwksServer {
  origin: string
  url(name: string): string
  set(name: string, route: JwksRoute): void
  count(name: string): number
  close(): Promise<void>
}

function answer(res: ServerResponse, route: JwksRoute | undefined): void {
  if (route === undefined) {
    res.writeHead(404).end()
    return
  }
  if (route.hugeBytes !== undefined) {
    // Chunked, no Content-Length: the client must stop reading by itself past its bound.
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.write('{"keys":[],"pad":"')
    const chunk = 'x'.repeat(16 * 1024)
    let sent = 0
    const more = () => {
      while (sent < route.hugeBytes!) {
        sent += chunk.length
        if (!res.write(chunk)) return void res.once('drain', more)
      }
      res.end('"}')
    }
    res.on('error', () => {})
    more()
    return
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...route.headers }
  if (route.location !== undefined) headers.Location = route.location
  res.writeHead(route.status ?? 200, headers).end(route.body ?? '')
}

export async function startJwksServer(): Promise<JwksServer> {
  const routes = new Map<string, JwksRoute>()
  const counts = new Map<string, number>()
  const server = createServer((req, res) => {
    const [, kind, name = ''] = (req.url ?? '').split('/')
    if (kind === 'jwks') {
      counts.set(name, (counts.get(name) ?? 0) + 1)
      const route = routes.get(name)
      if (route?.delayMs) {
        const timer = setTimeout(() => answer(res, route), route.delayMs)
        res.on('close', () => clearTimeout(timer))
      } else answer(res, route)
      return
    }
    if (kind === 'control') {
      if (req.method === 'PUT') {
        let text = ''
        req.setEncoding('utf8')
        req.on('data', (chunk: string) => (text += chunk))
        req.on('end', () => {
          routes.set(name, JSON.parse(text) as JwksRoute)
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ count: counts.get(name) ?? 0 }))
        })
        return
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ count: counts.get(name) ?? 0 }))
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    url: (name) => `${origin}/jwks/${name}`,
    set: (name, route) => void routes.set(name, route),
    count: (name) => counts.get(name) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
