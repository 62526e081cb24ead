// Issue 22 at the edge, inside workerd: a HALLPASS_KEYS ring holding a key anyone can sign for (a
// small-order Ed25519 point, an RSA key with e = 1) makes the worker refuse to serve with the very
// text the stdin node stops with (test/node/keys.test.ts), so the forged token is never answered.
// (A trusted issuer publishing such a key: test/protocol/trusted.ts, on both transports.)
import { describe, expect, it, vi } from 'vitest'
import { REFRESH_SECRET } from '../support/keys.ts'
import { weakRingAttacks } from '../support/weak-keys.ts'
import { bindings, call, message } from './support.ts'

const attacks = await weakRingAttacks()

describe('edge worker: a ring holding a key anyone can sign for is refused as on the stdin node', () => {
  it.each(attacks)('%s', async (_label, ring, forged, refusal) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const bound = bindings({ HALLPASS_KEYS: ring, HALLPASS_REFRESH_SECRET: REFRESH_SECRET })
    const response = await message({ type: 'verify_token', msg_id: 1, token: forged }, bound)
    expect(await response.json()).toEqual({ type: 'error', code: 13, text: 'hallpass is misconfigured: see the worker logs' })
    expect(response.status).toBe(500)
    expect((await call('/health', {}, bound)).status).toBe(503)
    expect(errors.mock.calls.flat()).toContain(`hallpass: configuration error: ${refusal}`)
    errors.mockRestore()
  })
})
