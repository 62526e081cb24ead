// A minimal node speaking the same line protocol, for comparison: `echo` (parse and reply, no
// crypto: the floor) or `fast-jwt` (verify and sign with fast-jwt). Text split on newlines and
// replies batched per turn of the event loop (lines.ts), as hallpass batches them; hallpass reads
// bytes instead (a UTF-8 check and the line limit before decoding), which costs it a little more.
import { createSigner, createVerifier } from 'fast-jwt'
import { serveEnvelopes } from './lines.ts'

const mode = process.argv[2]
const secret = process.env.HALLPASS_SECRET!
const cache = process.env.FAST_JWT_CACHE === '1'
const verifier = createVerifier({ key: secret, algorithms: ['HS256'], cache })
const signer = createSigner({ key: secret, algorithm: 'HS256', expiresIn: 900_000 })

function answer(body: Record<string, any>): Record<string, unknown> {
  if (mode === 'echo') return { type: 'echo', in_reply_to: body.msg_id }
  if (body.type === 'init') return { type: 'init_ok', in_reply_to: body.msg_id }
  if (body.type === 'verify_token') {
    try {
      return { type: 'token_valid', in_reply_to: body.msg_id, payload: verifier(body.token) }
    } catch (error) {
      return { type: 'token_invalid', in_reply_to: body.msg_id, error: 'Invalid token', code: (error as { code?: string }).code }
    }
  }
  return { type: 'token_generated', in_reply_to: body.msg_id, access_token: signer(body.payload), token_type: 'Bearer', expires_in: 900 }
}

serveEnvelopes(answer)
