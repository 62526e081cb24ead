// The protocol dispatcher (PROTOCOL.md): one parsed message in, one reply out. Both transports,
// the stdin node and the edge worker, are thin adapters over this.
import { HallpassError, RequestError, TokenError } from './errors.ts'
import type { Hallpass } from './hallpass.ts'
import type { JsonObject } from './jws.ts'

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

/** One message type: `run` starts the work (it may throw), `reply` shapes its result. */
interface Operation {
  run(hp: Hallpass, body: JsonObject): unknown
  reply(result: any): JsonObject
}

function field(body: JsonObject, name: string): string {
  const value = body[name]
  if (typeof value !== 'string') throw new RequestError(`${name} must be a string`)
  return value
}

const OPERATIONS: Record<string, Operation> = {
  generate_access_token: {
    run: (hp, body) => hp.issue(body.payload),
    reply: (tokens) => ({ type: 'token_generated', ...tokens }),
  },
  verify_token: {
    run: (hp, body) => hp.verify(field(body, 'token')),
    reply: (payload) => ({ type: 'token_valid', payload }),
  },
  refresh_token: {
    run: (hp, body) => hp.refresh(field(body, 'refresh_token')),
    reply: (tokens) => ({ type: 'token_refreshed', ...tokens }),
  },
  revoke_token: {
    run: (hp, body) => hp.revoke(field(body, 'token')),
    reply: ({ kind }) => ({ type: 'token_revoked', token_kind: kind }),
  },
  inspect_token: {
    run: (hp, body) => hp.inspect(field(body, 'token')),
    reply: (inspection) => ({ type: 'token_inspected', ...inspection }),
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
   * One async step per message: this function awaits the operation's own promise and nothing else.
   */
  async handle(message: unknown): Promise<JsonObject | null> {
    if (!isObject(message)) return null
    if (!('body' in message)) return this.#withReplyTo(message, await this.#answer(message))
    const { src, dest, body } = message
    if ((src !== undefined && typeof src !== 'string') || (dest !== undefined && typeof dest !== 'string')) {
      return { src: this.#nodeId, body: errorBody(ERROR_CODES.malformedRequest, 'src and dest must be strings') }
    }
    const reply = isObject(body) ? this.#withReplyTo(body, await this.#answer(body)) : errorBody(ERROR_CODES.malformedRequest, 'body must be a JSON object')
    return { src: dest ?? this.#nodeId, dest: src, body: reply }
  }

  #withReplyTo(body: JsonObject, reply: JsonObject): JsonObject {
    const msgId = body.msg_id
    return msgId === undefined ? reply : { type: reply.type, in_reply_to: msgId, ...reply }
  }

  /** The reply body (no in_reply_to yet); a promise only when an operation is under way. */
  #answer(body: JsonObject): JsonObject | Promise<JsonObject> {
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
    let result: unknown
    try {
      result = operation.run(this.#hp, body)
    } catch (error) {
      return this.#failure(error)
    }
    if (!(result instanceof Promise)) return operation.reply(result)
    return result.then(operation.reply, (error: unknown) => this.#failure(error))
  }

  /** A thrown error as a reply: token_invalid, a request error (12) or an internal failure (13). */
  #failure(error: unknown): JsonObject {
    if (error instanceof TokenError) return { type: 'token_invalid', error: error.message, code: error.code }
    if (error instanceof RequestError) return errorBody(ERROR_CODES.malformedRequest, error.message)
    this.#options.onInternalError?.(error)
    return errorBody(ERROR_CODES.internal, error instanceof HallpassError ? error.message : 'Internal error')
  }

  #init(body: JsonObject): JsonObject {
    if (typeof body.node_id !== 'string' || body.node_id === '') return errorBody(ERROR_CODES.malformedRequest, 'node_id must be a non-empty string')
    this.#nodeId = body.node_id
    return { type: 'init_ok' }
  }
}
