// Talking to the edge worker from tests inside workerd: requests go through the app's own fetch
// with the real bindings (Durable Objects included), optionally with configuration overrides.
import { env } from 'cloudflare:workers'
import app from '../../worker/index.ts'
import type { Env } from '../../worker/env.ts'
import { concurrently, type Connect, type Message } from '../protocol/transport.ts'

export const ORIGIN = 'https://hallpass.test'
export const ISSUER_KEY = env.HALLPASS_ISSUER_KEY!

/** The test bindings without any PROTOCOL variable, so a connect() configuration stands alone. */
export function bindings(overrides: Record<string, string> = {}): Env {
  const base = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('HALLPASS_') || name === 'HALLPASS_ISSUER_KEY'))
  return { ...base, ...overrides } as unknown as Env
}

/** One request through the worker's fetch handler with these bindings. */
export async function call(path: string, init: RequestInit = {}, bound: Env = env): Promise<Response> {
  return await app.request(`${ORIGIN}${path}`, init, bound)
}

/** POST /v1/messages with the issuer credential (or `authorization`, or none with null). */
export async function message(body: unknown, bound: Env = env, authorization: string | null = `Bearer ${ISSUER_KEY}`): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (authorization !== null) headers.Authorization = authorization
  return await call('/v1/messages', { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }, bound)
}

/** The PROTOCOL suite's transport: each message one POST /v1/messages. */
export const connectWorker: Connect = async (overrides) => {
  const bound = bindings(overrides)
  const request = async (msg: Message | string): Promise<Message> => (await (await message(msg, bound)).json()) as Message
  return {
    request,
    requestAll: concurrently(request),
    async close() {},
  }
}

/** Form-encoded POST, as OAuth clients send it. */
export async function form(path: string, fields: Record<string, string>, bound: Env = env): Promise<Response> {
  return await call(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() }, bound)
}

/** A fresh token set, issued over HTTP with the issuer credential. */
export async function issue(payload: Message = { sub: 'user123', roles: ['user'] }, bound: Env = env): Promise<Message> {
  const reply = (await (await message({ type: 'generate_access_token', payload }, bound)).json()) as Message
  if (reply.type !== 'token_generated') throw new Error(`issue failed: ${JSON.stringify(reply)}`)
  return reply
}
