// The shared PROTOCOL.md suite against the real stdin node, started by `npm start --silent`:
// on the memory store, with the verified-token cache (a cache must not change a single reply),
// and on an SQLite file (a store must not change one either).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { keyRingSuite } from '../protocol/keys.ts'
import { protocolSuite } from '../protocol/suite.ts'
import { connectNode } from './process.ts'

const dir = mkdtempSync(join(tmpdir(), 'hallpass-protocol-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

protocolSuite('stdin node', connectNode)
protocolSuite('stdin node with verify cache', (env) => connectNode({ ...env, HALLPASS_VERIFY_CACHE: '1000' }))
protocolSuite('stdin node on sqlite', (env) => connectNode({ ...env, HALLPASS_STORE: `sqlite:${join(dir, `store-${files++}.db`)}` }))
keyRingSuite('stdin node', connectNode)
