// Request bodies read with a hard cap: an oversized body is refused without holding it in memory.

/** The PROTOCOL's line limit, applied to a request body: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'not_utf8' }

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

export async function readBody(request: Request, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = request.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    await request.body?.cancel().catch(() => undefined)
    return { ok: false, reason: 'too_large' }
  }
  if (request.body === null) return { ok: true, text: '' }
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      // Stop reading: the runtime drops the rest of the body once the response is sent.
      reader.releaseLock()
      return { ok: false, reason: 'too_large' }
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return { ok: true, text: utf8.decode(bytes) }
  } catch {
    return { ok: false, reason: 'not_utf8' }
  }
}
