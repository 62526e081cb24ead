// The shared PROTOCOL.md suite against the real stdin node, started by `npm start --silent`,
// with and without the verified-token cache (a cache must not change a single reply).
import { keyRingSuite } from '../protocol/keys.ts'
import { protocolSuite } from '../protocol/suite.ts'
import { connectNode } from './process.ts'

protocolSuite('stdin node', connectNode)
protocolSuite('stdin node with verify cache', (env) => connectNode({ ...env, HALLPASS_VERIFY_CACHE: '1000' }))
keyRingSuite('stdin node', connectNode)
