// The shared PROTOCOL suite against the worker as `npm run dev` serves it: real HTTP on
// 127.0.0.1, one `wrangler dev` per configuration the suite asks for.
import { keyRingSuite } from '../protocol/keys.ts'
import { protocolSuite } from '../protocol/suite.ts'
import { concurrently, type Connect, type Message } from '../protocol/transport.ts'
import { wranglerDev } from '../support/wrangler-dev.ts'

const ISSUER_KEY = 'dev-test-issuer-key-dev-test-issuer-key!'

/** One `wrangler dev` per configuration: every message a POST /v1/messages with the issuer credential. */
const connectDev: Connect = async (env) => {
  const vars = Object.entries({ ...env, HALLPASS_ISSUER_KEY: ISSUER_KEY }).flatMap(([name, value]) => ['--var', `${name}:${value}`])
  const server = await wranglerDev(vars)
  const request = async (message: Message | string): Promise<Message> => {
    const response = await fetch(new URL('/v1/messages', server.base), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ISSUER_KEY}` },
      body: typeof message === 'string' ? message : JSON.stringify(message),
    })
    return (await response.json()) as Message
  }
  return {
    request,
    requestAll: concurrently(request),
    close: () => server.stop(),
  }
}

protocolSuite('npm run dev', connectDev)
// The key ring's conformance cases once more over real HTTP; the rest runs inside workerd already.
keyRingSuite('npm run dev', connectDev, { algorithms: ['ES256'], conformanceOnly: true })
