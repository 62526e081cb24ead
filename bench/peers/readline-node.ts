// fast-jwt behind the line protocol as a Node user would write it: readline for the lines,
// JSON.parse and JSON.stringify, replies batched per turn of the event loop. The plain peer the
// stdin node is held against (line-node.ts shares hallpass's own reading and writing instead).
import { createInterface } from 'node:readline'
import { createVerifier } from 'fast-jwt'
import { Replies } from './lines.ts'

const verifier = createVerifier({ key: process.env.HALLPASS_SECRET!, algorithms: ['HS256'], cache: false })
const replies = new Replies()
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
lines.on('line', (line) => {
  if (line === '') return
  const message = JSON.parse(line)
  const body = message.body
  let reply: Record<string, unknown>
  if (body.type === 'init') reply = { type: 'init_ok', in_reply_to: body.msg_id }
  else {
    try {
      reply = { type: 'token_valid', in_reply_to: body.msg_id, payload: verifier(body.token) }
    } catch (error) {
      reply = { type: 'token_invalid', in_reply_to: body.msg_id, error: 'Invalid token', code: (error as { code?: string }).code }
    }
  }
  replies.push(JSON.stringify({ src: message.dest, dest: message.src, body: reply }))
})
lines.on('close', () => replies.flush())
