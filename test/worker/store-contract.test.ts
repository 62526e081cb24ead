// The store contract against the edge's Durable Objects, inside workerd: two stores over the same
// namespaces are two instances on one backend.
import { env } from 'cloudflare:workers'
import { DurableObjectStore } from '../../worker/store.ts'
import { storeContract } from '../store/contract.ts'

storeContract('durable objects', async () => ({ store: new DurableObjectStore(env), second: new DurableObjectStore(env), strict: async () => new DurableObjectStore(env, { stalenessMs: 0 }) }))
