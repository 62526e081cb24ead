import { MemoryStore } from '../../src/internal.ts'
import { storeContract } from './contract.ts'

storeContract('memory', async () => {
  const store = new MemoryStore()
  // One process, one memory: the second instance on the same backend is the store itself.
  return { store, second: store }
})
