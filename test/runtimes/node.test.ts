// The core cases in Node (the `node` vitest project).
import { registerCases } from './register.ts'

registerCases('node', () => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string')
