// The TokenService entrypoint, called the way a Worker with a service binding calls it (through
// the loopback binding `exports.TokenService`): no credential, PROTOCOL reply bodies as results.
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { message } from './support.ts'

const service = exports.TokenService

describe('TokenService (RPC for service bindings)', () => {
  it('issues without any credential, and the tokens work over HTTP too', async () => {
    const issued = await service.issue({ sub: 'svc-user', roles: ['reader'] })
    expect(issued).toMatchObject({ type: 'token_generated', token_type: 'Bearer', expires_in: 900, refresh_expires_in: 604800 })
    if (issued.type !== 'token_generated') throw new Error('not issued')
    const overHttp = await (await message({ type: 'verify_token', token: issued.access_token }, undefined, null)).json()
    expect(overHttp).toMatchObject({ type: 'token_valid', payload: { sub: 'svc-user', roles: ['reader'] } })
  })

  it('verifies, refreshes with rotation and reuse detection, and revokes', async () => {
    const issued = await service.issue({ sub: 'u2' })
    if (issued.type !== 'token_generated') throw new Error('not issued')
    expect(await service.verify(issued.access_token)).toMatchObject({ type: 'token_valid', payload: { sub: 'u2' } })
    const refreshed = await service.refresh(issued.refresh_token)
    expect(refreshed.type).toBe('token_refreshed')
    expect(await service.refresh(issued.refresh_token)).toEqual({ type: 'token_invalid', code: 'refresh_token_reused', error: 'Refresh token reused' })
    expect(await service.revoke(issued.access_token)).toEqual({ type: 'token_revoked', token_kind: 'access' })
    expect(await service.verify(issued.access_token)).toEqual({ type: 'token_invalid', code: 'token_revoked', error: 'Token revoked' })
  })

  it('sees revocations made over HTTP', async () => {
    const issued = await service.issue({ sub: 'u3' })
    if (issued.type !== 'token_generated') throw new Error('not issued')
    await message({ type: 'revoke_token', token: issued.access_token }, undefined, null)
    expect(await service.verify(issued.access_token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
  })

  it('logs a subject out everywhere with revokeSubject, no credential needed (the binding is one)', async () => {
    const issued = await service.issue({ sub: 'u4' })
    if (issued.type !== 'token_generated') throw new Error('not issued')
    expect(await service.revokeSubject('u4')).toEqual({ type: 'subject_revoked', sub: 'u4' })
    expect(await service.verify(issued.access_token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
    expect(await service.refresh(issued.refresh_token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
    expect(await service.revokeSubject('')).toMatchObject({ type: 'error', code: 12 })
  })

  it('answers failures as values: error 12 for bad claims, token_invalid for bad tokens', async () => {
    expect(await service.issue({ email: 'no-sub@example.com' })).toMatchObject({ type: 'error', code: 12 })
    expect(await service.verify('not-a-token')).toEqual({ type: 'token_invalid', code: 'malformed_token', error: 'Malformed token' })
    expect(await service.verify(42 as unknown as string)).toMatchObject({ type: 'error', code: 12 })
    expect(await service.revoke('a.b.c')).toMatchObject({ type: 'token_invalid' })
  })
})
