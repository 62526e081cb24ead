// A result now or later. With node:crypto and the memory store every step of verify and issue is
// synchronous: handing such a result on as it is, instead of through async functions, saves the
// stdin node a promise and a microtask per layer (five layers on verify: about 1.2 µs of a 15 µs
// message, measured). Only what really waits (WebCrypto, a database, a Durable Object) is awaited.

export type Maybe<T> = T | Promise<T>

/** Any thenable, not only this realm's Promise: a store may hand back its own library's promises. */
export function isPending<T>(value: Maybe<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/** `next(value)` now when `value` is here, or once it is. */
export function andThen<T, U>(value: Maybe<T>, next: (value: T) => Maybe<U>): Maybe<U> {
  return isPending(value) ? Promise.resolve(value).then(next) : next(value)
}

/**
 * `run()` as a promise, its throw as a rejection: for the library's promise API. A promise comes
 * back as it is (an async wrapper would add two microtasks to adopt it: WebCrypto's path).
 */
export function promised<T>(run: () => Maybe<T>): Promise<T> {
  try {
    return Promise.resolve(run())
  } catch (error) {
    return Promise.reject(error)
  }
}
