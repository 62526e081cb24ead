// The shared PROTOCOL.md suite against the edge worker: every message a POST /v1/messages with the
// issuer credential, through the worker's own fetch handler and its real Durable Objects. A second
// run turns the verified-token cache on: it must not change any reply (revocations included).
import { keyRingSuite } from '../protocol/keys.ts'
import { protocolSuite } from '../protocol/suite.ts'
import { connectWorker } from './support.ts'

protocolSuite('edge worker', connectWorker)
protocolSuite('edge worker with HALLPASS_VERIFY_CACHE', (env) => connectWorker({ ...env, HALLPASS_VERIFY_CACHE: '1000' }))
keyRingSuite('edge worker', connectWorker)
