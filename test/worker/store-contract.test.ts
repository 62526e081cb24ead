// The store contract against the edge's Durable Objects, inside workerd.
import { env } from 'cloudflare:workers'
import { DurableObjectStore } from '../../worker/store.ts'
import { storeContract } from '../store/contract.ts'

storeContract('durable objects', async () => ({ store: new DurableObjectStore(env) }))
