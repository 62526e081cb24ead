// Drives a real stdin node over pipes: `npm start --silent`, or the entry file directly where a
// test needs to signal the node process itself.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { bodyOf, type Message, type Transport } from '../protocol/transport.ts'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const ENTRY = fileURLToPath(new URL('../../src/node/main.ts', import.meta.url))

/** Environment without any HALLPASS_ variable of the developer's shell. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HALLPASS_')))
  return { ...base, ...env }
}

export interface NodeProcess {
  child: ChildProcessWithoutNullStreams
  /** Resolves with the next stdout line. */
  nextLine(timeoutMs?: number): Promise<string>
  /** Waits for the process to exit and returns every stdout line not yet taken. */
  remainingLines(): Promise<string[]>
  stderr(): string
  exited: Promise<number | null>
}

export function startNode(env: Record<string, string>, how: 'npm' | 'direct' = 'direct', args: string[] = []): NodeProcess {
  const child =
    how === 'npm'
      ? spawn('npm', ['start', '--silent', '--', ...args], { cwd: ROOT, env: cleanEnv(env) })
      : spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ENTRY, ...args], { cwd: ROOT, env: cleanEnv(env) })
  const lines: string[] = []
  const waiting: Array<(line: string) => void> = []
  let partial = ''
  let errText = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop()!
    for (const line of parts) {
      const next = waiting.shift()
      if (next) next(line)
      else lines.push(line)
    }
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => (errText += chunk))
  // A node killed on purpose (kill -9 with messages still being written) fails the writes in
  // flight with EPIPE; unhandled, that error would fail the whole run. The test sees the node go
  // through \`exited\`, and every message it left unanswered through its own reply.
  child.stdin.on('error', () => undefined)
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    child,
    exited,
    stderr: () => errText,
    async remainingLines() {
      await exited
      const rest = partial === '' ? lines.splice(0) : [...lines.splice(0), partial]
      partial = ''
      return rest
    },
    nextLine(timeoutMs = 10_000) {
      const ready = lines.shift()
      if (ready !== undefined) return Promise.resolve(ready)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms; stderr: ${errText}`)), timeoutMs)
        waiting.push((line) => {
          clearTimeout(timer)
          resolve(line)
        })
      })
    },
  }
}

/** A Transport over one node process; requests go one at a time unless sent together. */
export async function connectNode(env: Record<string, string>): Promise<Transport> {
  const node = startNode(env, 'npm')
  let queue = Promise.resolve()
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work)
    queue = run.then(() => undefined, () => undefined)
    return run
  }
  return {
    request: (message) =>
      exclusive(async () => {
        node.child.stdin.write((typeof message === 'string' ? message : JSON.stringify(message)) + '\n')
        return JSON.parse(await node.nextLine()) as Message
      }),
    requestAll: (messages) =>
      exclusive(async () => {
        node.child.stdin.write(messages.map((m) => JSON.stringify(m)).join('\n') + '\n')
        const replies: Message[] = []
        for (let i = 0; i < messages.length; i++) replies.push(JSON.parse(await node.nextLine()))
        const byId = new Map(replies.map((r) => [bodyOf(r).in_reply_to, r]))
        return messages.map((m) => byId.get(bodyOf(m).msg_id)!)
      }),
    async close() {
      node.child.stdin.end()
      await node.exited
    },
  }
}
