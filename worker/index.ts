// The hallpass edge worker (wrangler.toml `main`): the HTTP app, the RPC entrypoint for service
// bindings and the Durable Object classes that hold refresh families and revocations.
import { app } from './app.ts'

export { RefreshFamilies, RevocationFeed, Revocations } from './objects.ts'
export { TokenService } from './rpc.ts'
export type { IssueReply, VerifyReply, RefreshReply, RevokeReply, TokenInvalid, ErrorReply } from './rpc.ts'
export type { Env } from './env.ts'

export default app
