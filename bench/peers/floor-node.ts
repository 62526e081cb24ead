// Not a peer: the least a verify node does per message, on the same line handling as the other
// peers (lines.ts): split the token, one HMAC (node:crypto), the signature compared as a string,
// the payload decoded by Buffer and parsed, the reply written. Nothing is checked beyond the
// signature: no header, no claim, no strict base64url, no revocation. No verifier can be faster
// by more than its own extra work; the stdin goals are read against it.
import { createHmac } from 'node:crypto'
import { serveEnvelopes } from './lines.ts'

const key = Buffer.from(process.env.HALLPASS_SECRET!)

serveEnvelopes((body) => {
  if (body.type === 'init') return { type: 'init_ok', in_reply_to: body.msg_id }
  const token = body.token as string
  const first = token.indexOf('.')
  const last = token.lastIndexOf('.')
  if (createHmac('sha256', key).update(token.slice(0, last)).digest('base64url') !== token.slice(last + 1)) {
    return { type: 'token_invalid', in_reply_to: body.msg_id, error: 'Invalid token', code: 'invalid_signature' }
  }
  return { type: 'token_valid', in_reply_to: body.msg_id, payload: JSON.parse(Buffer.from(token.slice(first + 1, last), 'base64url').toString()) }
})
