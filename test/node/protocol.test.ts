// The shared PROTOCOL.md suite against the real stdin node, started by `npm start --silent`.
import { protocolSuite } from '../protocol/suite.ts'
import { connectNode } from './process.ts'

protocolSuite('stdin node', connectNode)
