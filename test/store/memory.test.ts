import { MemoryStore } from '../../src/index.ts'
import { storeContract } from './contract.ts'

storeContract('memory', async () => ({ store: new MemoryStore() }))
