// What every durable store promises, proven with real node processes (test/node/process.ts): kill -9
// in the middle of a stream and a restart (nothing acknowledged lost, nothing spent works again),
// processes racing on one refresh token, revocations crossing processes within a second, and
// revoke_subject across a restart. Written once; run on an SQLite file and on PostgreSQL.
import { describe, expect, it } from 'vitest'
import { SECRET } from '../support/forge.ts'
import { startNode, type NodeProcess } from './process.ts'

type Reply = Record<string, unknown>

/** A node process whose replies are matched to requests by msg_id, so requests may overlap. */
export class Client {
  readonly node: NodeProcess
  readonly #waiting = new Map<number, (reply: Reply) => void>()
  readonly replies = new Map<number, Reply>()
  #next = 1
  #buffer = ''

  constructor(env: Record<string, string>) {
    this.node = startNode(env)
    this.node.child.stdout.on('data', (chunk: Buffer | string) => {
      const parts = (this.#buffer + chunk.toString()).split('\n')
      this.#buffer = parts.pop()!
      for (const line of parts) {
        const reply = JSON.parse(line) as Reply
        const id = reply.in_reply_to as number
        this.replies.set(id, reply)
        this.#waiting.get(id)?.(reply)
        this.#waiting.delete(id)
      }
    })
  }

  /** Writes the message now; resolves with its reply. */
  send(body: Reply): { id: number; reply: Promise<Reply> } {
    const id = this.#next++
    const reply = new Promise<Reply>((resolve, reject) => {
      this.#waiting.set(id, resolve)
      this.node.exited.then(() => reject(new Error(`node exited before answering ${id}; stderr: ${this.node.stderr()}`)))
    })
    reply.catch(() => undefined)
    this.node.child.stdin.write(`${JSON.stringify({ ...body, msg_id: id })}\n`)
    return { id, reply }
  }

  ask(body: Reply): Promise<Reply> {
    return this.send(body).reply
  }

  issue(sub: string): Promise<Reply> {
    return this.ask({ type: 'generate_access_token', payload: { sub } })
  }

  refresh(token: unknown): Promise<Reply> {
    return this.ask({ type: 'refresh_token', refresh_token: token })
  }

  verify(token: unknown): Promise<Reply> {
    return this.ask({ type: 'verify_token', token })
  }

  async stop(): Promise<number | null> {
    this.node.child.stdin.end()
    return await this.node.exited
  }

  async kill(): Promise<void> {
    this.node.child.kill('SIGKILL')
    await this.node.exited
  }
}

/** The node's lines on stderr, Node's own warnings left out. */
export const ownLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '' && !/ExperimentalWarning|--trace-warnings/.test(line))

export interface StoreUnderTest {
  /** A HALLPASS_STORE value naming a new, empty store. */
  fresh(): Promise<string>
  /** How many node processes share the store in the race (2 on one machine, more for a database). */
  racers: number[]
}

export function storeProcessSuite(name: string, subject: StoreUnderTest): void {
  const envFor = (store: string, extra: Record<string, string> = {}) => ({ HALLPASS_SECRET: SECRET, HALLPASS_STORE: store, ...extra })

  describe(`${name}: what a durable store promises, in real processes`, () => {
  it('keeps every acknowledged change through kill -9, round after round, and lets nothing spent work again', async () => {
    const store = await subject.fresh()
    const ROUNDS = 6
    const FAMILIES = 120
    for (let round = 0; round < ROUNDS; round++) {
      const node = new Client(envFor(store))
      const issued = await Promise.all(Array.from({ length: FAMILIES }, (_, i) => node.issue(`r${round}-u${i}`)))
      // Revocations acknowledged before the stream, and more inside it.
      const revokedBefore = issued.slice(0, 5).map((t) => t.access_token)
      for (const token of revokedBefore) expect(await node.ask({ type: 'revoke_token', token })).toMatchObject({ type: 'token_revoked' })
      expect(await node.ask({ type: 'revoke_subject', sub: `r${round}-u5` })).toMatchObject({ type: 'subject_revoked' })
      // One refresh per family, and a revocation after every tenth, all written at once; the node is
      // killed as soon as a random share of the replies has come back.
      const stop = Math.floor(Math.random() * FAMILIES)
      const sent = issued.map((tokens, i) => {
        const refresh = node.send({ type: 'refresh_token', refresh_token: tokens.refresh_token })
        const revoke = i % 10 === 9 ? node.send({ type: 'revoke_token', token: tokens.access_token }) : undefined
        return { tokens, refresh, revoke }
      })
      await new Promise<void>((resolve) => {
        const check = () => (node.replies.size >= FAMILIES + 6 + stop ? resolve() : setTimeout(check, 0))
        check()
      })
      await node.kill()
      const acknowledged = (id: number) => node.replies.get(id)

      const again = new Client(envFor(store))
      for (const token of revokedBefore) expect(await again.verify(token)).toMatchObject({ code: 'token_revoked' })
      expect(await again.verify(issued[5]!.access_token)).toMatchObject({ code: 'token_revoked' })
      for (const { tokens, refresh, revoke } of sent.slice(6)) {
        const rotated = acknowledged(refresh.id)
        if (rotated !== undefined) {
          expect(rotated).toMatchObject({ type: 'token_refreshed' })
          // The acknowledged token works exactly once; the spent one never again.
          const next = await again.refresh(rotated.refresh_token)
          expect(next).toMatchObject({ type: 'token_refreshed' })
          expect(await again.refresh(rotated.refresh_token)).toMatchObject({ type: 'token_invalid', code: 'refresh_token_reused' })
          expect(await again.refresh(tokens.refresh_token)).toMatchObject({ type: 'token_invalid' })
        } else {
          // Not acknowledged: it may or may not have been committed, but it is one or the other.
          const reply = await again.refresh(tokens.refresh_token)
          expect(reply.type === 'token_refreshed' || reply.code === 'refresh_token_reused').toBe(true)
        }
        if (revoke !== undefined && acknowledged(revoke.id) !== undefined) {
          expect(await again.verify(tokens.access_token)).toMatchObject({ code: 'token_revoked' })
        }
      }
      expect(await again.stop()).toBe(0)
      expect(ownLines(again.node.stderr())).toEqual([])
    }
  }, 90_000)

  it.each(subject.racers)('lets exactly one of %i processes win a race on one refresh token, trial after trial', async (count) => {
    const store = await subject.fresh()
    const nodes = Array.from({ length: count }, () => new Client(envFor(store)))
    const TRIALS = 60
    for (let trial = 0; trial < TRIALS; trial++) {
      const issued = await nodes[trial % count]!.issue(`racer-${trial}`)
      const copies = trial % 3 === 0 ? 3 : 1
      const replies = await Promise.all(nodes.flatMap((node) => Array.from({ length: copies }, () => node.refresh(issued.refresh_token))))
      expect(replies.filter((reply) => reply.type === 'token_refreshed')).toHaveLength(1)
      expect(replies.filter((reply) => reply.type === 'token_invalid')).toHaveLength(count * copies - 1)
    }
    for (const node of nodes) expect(await node.stop()).toBe(0)
  }, 60_000)

  it('has a revocation made through one process refused by another within 1 s, a family at once', async () => {
    const store = await subject.fresh()
    const a = new Client(envFor(store))
    const b = new Client(envFor(store))
    const waitRefused = async (token: unknown) => {
      const start = performance.now()
      for (;;) {
        const reply = await b.verify(token)
        if (reply.code === 'token_revoked') return performance.now() - start
        expect(reply.type).toBe('token_valid')
        if (performance.now() - start > 3000) throw new Error('not refused within 3 s')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    const one = await a.issue('alice')
    expect(await b.verify(one.access_token)).toMatchObject({ type: 'token_valid' })
    await a.ask({ type: 'revoke_token', token: one.access_token })
    expect(await waitRefused(one.access_token)).toBeLessThan(1000)

    const two = await a.issue('bob')
    const bobsOther = await b.issue('bob')
    expect(await b.verify(two.access_token)).toMatchObject({ type: 'token_valid' })
    await a.ask({ type: 'revoke_subject', sub: 'bob' })
    expect(await waitRefused(bobsOther.access_token)).toBeLessThan(1000)
    expect(await b.verify(two.access_token)).toMatchObject({ code: 'token_revoked' })

    // A family revoked through one process cannot be refreshed through the other, not even once.
    const three = await a.issue('carol')
    await a.ask({ type: 'revoke_token', token: three.refresh_token })
    expect(await b.refresh(three.refresh_token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
    await a.stop()
    await b.stop()
  }, 30_000)

  it('keeps a subject logged out across a restart, and the login made in the same second after it', async () => {
    const store = await subject.fresh()
    const first = new Client(envFor(store))
    const before = await first.issue('dave')
    await first.ask({ type: 'revoke_subject', sub: 'dave' })
    const after = await first.issue('dave')
    expect(await first.verify(after.access_token)).toMatchObject({ type: 'token_valid' })
    await first.kill()
    const second = new Client(envFor(store))
    expect(await second.verify(before.access_token)).toMatchObject({ code: 'token_revoked' })
    expect(await second.refresh(before.refresh_token)).toMatchObject({ code: 'token_revoked' })
    expect(await second.verify(after.access_token)).toMatchObject({ type: 'token_valid' })
    expect(await second.refresh(after.refresh_token)).toMatchObject({ type: 'token_refreshed' })
    await second.stop()
  }, 30_000)

  })
}
