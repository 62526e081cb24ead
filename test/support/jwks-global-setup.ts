// Vitest globalSetup of the workerd projects: the tests' JWKS server on 127.0.0.1, in Node, for
// tests inside workerd to fetch from (over the loopback network) and to drive over HTTP.
import type { TestProject } from 'vitest/node'
import { startJwksServer } from './jwks-server.ts'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startJwksServer()
  project.provide('jwksOrigin', server.origin)
  return () => server.close()
}
