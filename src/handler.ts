// The protocol dispatcher (PROTOCOL.md): one parsed message in, one reply out. Both transports,
// the stdin node and the edge worker, are thin adapters over this.
import { HallpassError, RequestError, TokenError } from './errors.ts'
import type { Hallpass } from './hallpass.ts'
import type { JsonObject } from './jws.ts'
import { inspect } from './inspect.ts'

/** Maelstrom error codes used by the protocol. */
export const ERROR_CODES = {
  unknownType: 10,
  malformedRequest: 12,
  internal: 13,
  unauthorized: 1001,
} as const

export interface HandlerOptions {
  /** Messages the transport refuses before dispatch (the worker's issuer credential). */
  authorize?: (type: string) => boolean
  /** Told of internal failures (code 13). Gets the error, never the message. */
  onInternalError?: (error: unknown) => void
}

type Operation = (hp: Hallpass, body: JsonObject) => Promise<JsonObject>

function field(body: JsonObject, name: string): string {
  const value = body[name]
  if (typeof value !== 'string') throw new RequestError(`${name} must be a string`)
  return value
}

const OPERATIONS: Record<string, Operation> = {
  async generate_access_token(hp, body) {
    return { type: 'token_generated', ...(await hp.issue(body.payload)) }
  },
  async verify_token(hp, body) {
    return { type: 'token_valid', payload: await hp.verify(field(body, 'token')) }
  },
  async refresh_token(hp, body) {
    return { type: 'token_refreshed', ...(await hp.refresh(field(body, 'refresh_token'))) }
  },
  async revoke_token(hp, body) {
    const { kind } = await hp.revoke(field(body, 'token'))
    return { type: 'token_revoked', token_kind: kind }
  },
  async inspect_token(_hp, body) {
    return { type: 'token_inspected', ...inspect(field(body, 'token')) }
  },
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function errorBody(code: number, text: string): JsonObject {
  return { type: 'error', code, text }
}

/** A protocol message handler bound to one hallpass instance; it keeps the node id from `init`. */
export class MessageHandler {
  readonly #hp: Hallpass
  readonly #options: HandlerOptions
  #nodeId: string | undefined

  constructor(hp: Hallpass, options: HandlerOptions = {}) {
    this.#hp = hp
    this.#options = options
  }

  /**
   * The reply to one parsed JSON value: an envelope for an envelope, a bare body for a bare body.
   * `null` when the value is not a JSON object at all (the transport reports that itself).
   */
  async handle(message: unknown): Promise<JsonObject | null> {
    if (!isObject(message)) return null
    if (!('body' in message)) return this.#handleBody(message)
    const { src, dest, body } = message
    if ((src !== undefined && typeof src !== 'string') || (dest !== undefined && typeof dest !== 'string')) {
      return { src: this.#nodeId, body: errorBody(ERROR_CODES.malformedRequest, 'src and dest must be strings') }
    }
    const reply = isObject(body) ? await this.#handleBody(body) : errorBody(ERROR_CODES.malformedRequest, 'body must be a JSON object')
    return { src: dest ?? this.#nodeId, dest: src, body: reply }
  }

  async #handleBody(body: JsonObject): Promise<JsonObject> {
    const msgId = body.msg_id
    const reply = await this.#dispatch(body)
    return msgId === undefined ? reply : { type: reply.type, in_reply_to: msgId, ...reply }
  }

  async #dispatch(body: JsonObject): Promise<JsonObject> {
    const { type } = body
    if (typeof type !== 'string') return errorBody(ERROR_CODES.malformedRequest, 'type must be a string')
    if (body.msg_id !== undefined && typeof body.msg_id !== 'number' && typeof body.msg_id !== 'string') {
      return errorBody(ERROR_CODES.malformedRequest, 'msg_id must be a number or a string')
    }
    if (type === 'init') return this.#init(body)
    const operation = Object.hasOwn(OPERATIONS, type) ? OPERATIONS[type] : undefined
    if (operation === undefined) return errorBody(ERROR_CODES.unknownType, 'Unknown message type')
    if (this.#options.authorize !== undefined && !this.#options.authorize(type)) {
      return errorBody(ERROR_CODES.unauthorized, 'Unauthorized: this message needs the issuer credential')
    }
    try {
      return await operation(this.#hp, body)
    } catch (error) {
      if (error instanceof TokenError) return { type: 'token_invalid', error: error.message, code: error.code }
      if (error instanceof RequestError) return errorBody(ERROR_CODES.malformedRequest, error.message)
      this.#options.onInternalError?.(error)
      return errorBody(ERROR_CODES.internal, error instanceof HallpassError ? error.message : 'Internal error')
    }
  }

  #init(body: JsonObject): JsonObject {
    if (typeof body.node_id !== 'string' || body.node_id === '') return errorBody(ERROR_CODES.malformedRequest, 'node_id must be a non-empty string')
    this.#nodeId = body.node_id
    return { type: 'init_ok' }
  }
}
