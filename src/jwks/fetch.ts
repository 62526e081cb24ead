// Fetching a JWK Set from a jwks_uri within PROTOCOL's bounds ("Trusted issuers"): HTTPS (plain
// HTTP to loopback only, checked at start), no redirect, status 200 only, a bounded body, a bounded
// time, and its freshness from Cache-Control. `fetch` is passed in: the core runs the same in every runtime.
import { JwksError } from '../errors.ts'

/** The bounds of PROTOCOL's "Trusted issuers", in one place. */
export const JWKS_LIMITS = {
  /** A fetch, headers and body, ends within this (ms). */
  timeoutMs: 5_000,
  /** Longest body read; the fetch is aborted past it. */
  maxBytes: 512 * 1024,
  /** Cache-Control max-age is held within these (seconds), and taken as `defaultMaxAge` without one. */
  minMaxAge: 60,
  maxMaxAge: 24 * 60 * 60,
  defaultMaxAge: 600,
  /** An unknown kid refetches only when the last fetch started at least this long ago (ms). */
  refetchIntervalMs: 30_000,
  /** Keys fetched once keep verifying this long when refetches fail (ms). */
  staleIfErrorMs: 24 * 60 * 60 * 1000,
  /** Keys taken from one JWK Set at most: a huge set must not cost a key import per member. */
  maxKeys: 64,
} as const

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

/** Seconds of freshness a response grants: max-age minus Age, held within the bounds. */
export function freshness(headers: Headers): number {
  const control = headers.get('Cache-Control') ?? ''
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(?:,|$)/i.exec(control)
  let seconds: number = JWKS_LIMITS.defaultMaxAge
  if (/(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|=|$)/i.test(control)) seconds = 0
  else if (match !== null) seconds = Number(match[1]) - (Number(/^\d{1,10}$/.exec(headers.get('Age') ?? '')?.[0] ?? 0) || 0)
  return Math.min(JWKS_LIMITS.maxMaxAge, Math.max(JWKS_LIMITS.minMaxAge, seconds))
}

/** A promise that resolves with undefined after `ms`, and the way to stop its timer early. */
function delay(ms: number): { promise: Promise<undefined>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  const promise = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  return {
    promise,
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}

/**
 * GETs a JWK Set: no redirect followed, status 200 only, at most `maxBytes` read (incrementally,
 * aborting past it), all within `timeoutMs`: the AbortSignal stops the request, and a timer race
 * ends the wait even where an aborted fetch never settles.
 */
export async function fetchJwks(fetchImpl: FetchLike, uri: string, timeoutMs: number, maxBytes: number = JWKS_LIMITS.maxBytes): Promise<{ body: string; maxAge: number }> {
  const controller = new AbortController()
  const attempt = async () => {
    const response = await fetchImpl(uri, { redirect: 'manual', signal: controller.signal, headers: { Accept: 'application/jwk-set+json, application/json' } })
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {})
      throw new JwksError(response.status >= 300 && response.status < 400 ? `HTTP ${response.status}: redirects are not followed` : `HTTP ${response.status}`)
    }
    const declared = Number(response.headers.get('Content-Length') ?? 0)
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {})
      throw new JwksError(`body of ${declared} bytes, over the ${maxBytes}-byte bound`)
    }
    const bytes = new Uint8Array(Math.min(declared || 16 * 1024, maxBytes))
    let buffer = bytes
    let length = 0
    if (response.body !== null) {
      const reader = response.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        if (length + value.length > maxBytes) {
          await reader.cancel().catch(() => {})
          throw new JwksError(`body over the ${maxBytes}-byte bound`)
        }
        if (length + value.length > buffer.length) {
          const grown = new Uint8Array(Math.min(maxBytes, Math.max(buffer.length * 2, length + value.length)))
          grown.set(buffer.subarray(0, length))
          buffer = grown
        }
        buffer.set(value, length)
        length += value.length
      }
    }
    let body: string
    try {
      body = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer.subarray(0, length))
    } catch {
      throw new JwksError('body is not UTF-8')
    }
    return { body, maxAge: freshness(response.headers) }
  }
  const timer = delay(timeoutMs)
  try {
    const result = await Promise.race([attempt(), timer.promise])
    if (result === undefined) throw new JwksError(`timeout: no complete answer within ${timeoutMs} ms`)
    return result
  } catch (error) {
    if (error instanceof JwksError) throw error
    throw new JwksError(controller.signal.aborted ? `timeout: no complete answer within ${timeoutMs} ms` : `fetch failed: ${failure(error)}`, { cause: error })
  } finally {
    timer.cancel()
    controller.abort()
  }
}


/** Why a fetch failed, as its cause tells it (`ECONNREFUSED`, a DNS failure), never a URL's credentials (there are none: checked at start). */
function failure(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause
  const code = (cause as { code?: unknown })?.code
  if (typeof code === 'string') return code
  if (cause instanceof Error) return cause.message.slice(0, 200)
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : 'error'
}
