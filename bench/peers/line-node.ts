// A minimal node speaking the same line protocol, for comparison: `echo` (parse and reply, no
// crypto: the floor) or `fast-jwt` (verify and sign with fast-jwt). Same reading and batched
// writing strategy as hallpass, so the difference is the token work.
import { createSigner, createVerifier } from 'fast-jwt'

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

let pending = ''
let out: string[] = []
let scheduled = false
const flush = () => {
  scheduled = false
  process.stdout.write(out.join('\n') + '\n')
  out = []
}
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk: string) => {
  const lines = (pending + chunk).split('\n')
  pending = lines.pop()!
  for (const line of lines) {
    if (line === '') continue
    const message = JSON.parse(line)
    out.push(JSON.stringify({ src: message.dest, dest: message.src, body: answer(message.body) }))
  }
  if (!scheduled) {
    scheduled = true
    setImmediate(flush)
  }
})
process.stdin.on('end', () => {
  if (out.length > 0) flush()
})
