// What a protocol suite needs from a transport (the stdin node, the worker over HTTP).
export type Message = Record<string, unknown>

export interface Transport {
  /** Sends one message (an object, or the raw JSON text of one) and resolves with its reply. */
  request(message: Message | string): Promise<Message>
  /** Sends messages at once (each with a distinct msg_id); replies in the order of `messages`. */
  requestAll(messages: Message[]): Promise<Message[]>
  close(): Promise<void>
}

/** Starts a transport whose node runs with this configuration (PROTOCOL variable names). */
export type Connect = (env: Record<string, string>) => Promise<Transport>

/** The body of a reply, whether it came as an envelope or bare. */
export function bodyOf(reply: Message): Message {
  return (typeof reply.body === 'object' && reply.body !== null ? reply.body : reply) as Message
}

/**
 * `requestAll` for a transport whose requests are independent (HTTP): all at once, replies put
 * back in the order of `messages` by `in_reply_to`.
 */
export function concurrently(request: (message: Message | string) => Promise<Message>): Transport['requestAll'] {
  return async (messages) => {
    const replies = await Promise.all(messages.map(request))
    const byId = new Map(replies.map((reply) => [bodyOf(reply).in_reply_to, reply]))
    return messages.map((m) => byId.get(bodyOf(m).msg_id)!)
  }
}
