// What every durable store promises, proven with real node processes (test/node/process.ts): kill -9
// in the middle of a stream and a restart (nothing acknowledged lost, nothing spent works again),
// processes racing on one refresh token, revocations crossing processes (PROTOCOL: within a second;
// asserted as "eventually", never as a speed), and revoke_subject across a restart. Written once;
// run on an SQLite file and on PostgreSQL. No assertion here reads the clock: waits end on an event
// (a reply, a refusal), and the only time limits guard against hanging.
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

/**
 * Asks `node` to verify `token` until it is refused: a revocation made through another process
 * reaches this one's view within the bound PROTOCOL gives (1 s). Ten times that is a liveness
 * limit, not a speed claim: a token still valid then is a token the revocation missed.
 */
async function eventuallyRefused(node: Client, token: unknown): Promise<void> {
  const giveUp = Date.now() + 10_000
  for (;;) {
    const reply = await node.verify(token)
    if (reply.code === 'token_revoked') return
    expect(reply.type, 'a covered token is either still valid (the view is catching up) or refused').toBe('token_valid')
    if (Date.now() > giveUp) throw new Error('a token the revocation covers still verifies 10 s later')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
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

  // PROTOCOL bounds the delay by 1 s; the suite asserts the behaviour (refused, with no restart and
  // no verify reaching the store), not the speed: a busy machine may take longer to run the poll.
  it('has a revocation made through one process refused by another, a family at once', async () => {
    const store = await subject.fresh()
    const a = new Client(envFor(store))
    const b = new Client(envFor(store))
    const one = await a.issue('alice')
    expect(await b.verify(one.access_token)).toMatchObject({ type: 'token_valid' })
    await a.ask({ type: 'revoke_token', token: one.access_token })
    await eventuallyRefused(b, one.access_token)

    const two = await a.issue('bob')
    const bobsOther = await b.issue('bob')
    expect(await b.verify(two.access_token)).toMatchObject({ type: 'token_valid' })
    await a.ask({ type: 'revoke_subject', sub: 'bob' })
    await eventuallyRefused(b, bobsOther.access_token)
    expect(await b.verify(two.access_token)).toMatchObject({ code: 'token_revoked' })

    // A family revoked through one process cannot be refreshed through the other, not even once.
    const three = await a.issue('carol')
    await a.ask({ type: 'revoke_token', token: three.refresh_token })
    expect(await b.refresh(three.refresh_token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
    await a.stop()
    await b.stop()
  }, 30_000)

  /** Every token minted from a family covered by a revocation must be refused once it is known. */
  const refusedEverywhere = async (nodes: Client[], minted: Reply[]) => {
    for (const node of nodes) {
      for (const tokens of minted) {
        await eventuallyRefused(node, tokens.access_token)
        expect(await node.refresh(tokens.refresh_token), 'a refresh of a covered family').toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
      }
    }
  }

  it('refuses a refresh through one process of a token issued before revoke_subject through another, trial after trial (v3)', async () => {
    const store = await subject.fresh()
    const a = new Client(envFor(store))
    const b = new Client(envFor(store))
    for (let trial = 0; trial < 5; trial++) {
      const sub = `stolen-${trial}`
      const login = await a.issue(sub)
      // An older refresh token: rotated once before the revocation, in every other trial.
      const older = trial % 2 === 0 ? login : await a.refresh(login.refresh_token)
      expect(await b.ask({ type: 'revoke_subject', sub })).toMatchObject({ type: 'subject_revoked' })
      // Right after, through the process that did not revoke (its view may not have it yet).
      expect(await a.refresh(older.refresh_token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
      await refusedEverywhere([a, b], [login, older])
      // A login after the revocation works on both.
      const again = await a.issue(sub)
      expect(await b.verify(again.access_token)).toMatchObject({ type: 'token_valid' })
      expect(await b.refresh(again.refresh_token)).toMatchObject({ type: 'token_refreshed' })
    }
    expect(await a.stop()).toBe(0)
    expect(await b.stop()).toBe(0)
  }, 60_000)

  it('covers what a racing refresh mints: revoke_subject and refresh_token pipelined, in one process and across two (v3)', async () => {
    const store = await subject.fresh()
    const a = new Client(envFor(store))
    const b = new Client(envFor(store))
    for (let trial = 0; trial < 6; trial++) {
      const sub = `pipelined-${trial}`
      const login = await a.issue(sub)
      // Both lines written at once, in either order, to one process or to two.
      const revoker = trial % 3 === 2 ? b : a
      const [first, second] = trial % 2 === 0 ? [() => a.send({ type: 'refresh_token', refresh_token: login.refresh_token }), () => revoker.send({ type: 'revoke_subject', sub })] : [() => revoker.send({ type: 'revoke_subject', sub }), () => a.send({ type: 'refresh_token', refresh_token: login.refresh_token })]
      const replies = await Promise.all([first().reply, second().reply])
      const refreshed = replies.find((reply) => reply.type !== 'subject_revoked')!
      expect(replies.some((reply) => reply.type === 'subject_revoked')).toBe(true)
      // Either refused, or it minted tokens the revocation covers.
      if (refreshed.type !== 'token_refreshed') expect(refreshed).toMatchObject({ code: 'token_revoked' })
      await refusedEverywhere([a, b], refreshed.type === 'token_refreshed' ? [login, refreshed] : [login])
    }
    expect(await a.stop()).toBe(0)
    expect(await b.stop()).toBe(0)
  }, 60_000)

  it('keeps a racing refresh covered through kill -9 and a restart (v3)', async () => {
    const store = await subject.fresh()
    for (let trial = 0; trial < 4; trial++) {
      const sub = `killed-${trial}`
      const a = new Client(envFor(store))
      const b = new Client(envFor(store))
      const login = await a.issue(sub)
      // The refresh through the process that did not revoke, a millisecond after the revocation
      // through the other; killed as soon as it answers, or before.
      const revoke = b.send({ type: 'revoke_subject', sub })
      await new Promise((resolve) => setTimeout(resolve, 1))
      const refresh = a.send({ type: 'refresh_token', refresh_token: login.refresh_token })
      if (trial % 2 === 0) await refresh.reply
      await a.kill()
      expect(await revoke.reply).toMatchObject({ type: 'subject_revoked' })
      const minted = a.replies.get(refresh.id)
      if (minted !== undefined && minted.type !== 'token_refreshed') expect(minted).toMatchObject({ code: 'token_revoked' })
      const again = new Client(envFor(store))
      await refusedEverywhere([again, b], minted?.type === 'token_refreshed' ? [login, minted] : [login])
      expect(await again.stop()).toBe(0)
      expect(await b.stop()).toBe(0)
    }
  }, 60_000)

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
