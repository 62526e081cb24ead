// Every command of the README, run as the README spells it, in a copy of the checkout (as a new user
// would have it: the tracked files plus node_modules, no dist/, no .wrangler state). A command the
// test does not know how to run fails the test, so the README cannot grow a command nobody ran.
// `npm install` and `npm test` are the two it skips: the first made node_modules, the second is
// the run this test is part of.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** The shell code blocks of the README, each as its command lines (comments left to the shell). */
function shellBlocks(markdown: string): string[][] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#')))
}

/** The checkout as a fresh clone has it, in a temporary folder, sharing our node_modules. */
function copyOfCheckout(): string {
  const copy = mkdtempSync(join(tmpdir(), 'hallpass-readme-'))
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  expect(listed.status).toBe(0)
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue
    mkdirSync(dirname(join(copy, file)), { recursive: true })
    cpSync(join(ROOT, file), join(copy, file))
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'))
  return copy
}

/** The environment of a new user's shell: no HALLPASS_ variable, no npm_ settings of this run. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HALLPASS_') && !/^npm_/i.test(key)))
  // The system Node may be older than 22: npm scripts put the project's own first, as for a user.
  return { ...base, ...extra, NO_COLOR: '1', WRANGLER_SEND_METRICS: 'false', DENO_NO_UPDATE_CHECK: '1', npm_config_update_notifier: 'false' }
}

/** The JSON values a command printed, one per line (other lines, such as build notes, skipped). */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').flatMap((line) => {
    try {
      const value = JSON.parse(line)
      return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : []
    } catch {
      return []
    }
  })
}

const bodyOf = (reply: Record<string, unknown>) => (typeof reply.body === 'object' && reply.body !== null ? reply.body : reply) as Record<string, unknown>

/** Long-running commands: the URL each answers on once it is up. */
function serverUrl(command: string): string | undefined {
  if (/^npm run dev\b/.test(command)) return `http://127.0.0.1:${/--port (\d+)/.exec(command)![1]}/health`
  if (/^npm run inspector\b/.test(command)) return 'http://127.0.0.1:8788/'
  if (/^npm run example:browser\b/.test(command)) return 'http://127.0.0.1:8789/'
  return undefined
}

async function waitFor(url: string, child: ChildProcess, output: () => string): Promise<Response> {
  const until = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`${url} did not come up:\n${output().slice(-3000)}`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (response.ok) return response
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal)
      } catch {}
    }
    kill('SIGTERM')
    setTimeout(() => kill('SIGKILL'), 5000).unref()
  })
}

let copy = ''
beforeAll(() => {
  copy = copyOfCheckout()
})
afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true })
})

describe('the README', () => {
  const blocks = shellBlocks(README)

  it('has the commands a newcomer needs on its first screen', () => {
    const firstScreen = README.split('\n').slice(0, 60).join('\n')
    for (const command of ['npm install', 'npm test', 'npm start --silent', 'npm run dev', 'npm run inspector']) expect(firstScreen).toContain(command)
  })

  blocks.forEach((lines, index) => {
    it(`runs block ${index + 1} as written: ${lines[0]!.slice(0, 60)}`, { timeout: 240_000 }, async () => {
      const env: Record<string, string> = {}
      let accessToken: string | undefined
      const servers: ChildProcess[] = []
      try {
        for (const raw of lines) {
          const command = raw.replace(/\s+#.*$/, '').trim()
          const exported = /^export (\w+)='([^']*)'$/.exec(command)
          if (exported) {
            env[exported[1]!] = exported[2]!
            continue
          }
          if (command === 'npm install' || command === 'npm test') continue
          const line = accessToken === undefined ? raw : raw.replaceAll('<access_token>', accessToken)
          expect(line, `${command}: run a command that issues a token first`).not.toContain('<access_token>')
          const url = serverUrl(command)
          if (url !== undefined) {
            let output = ''
            const child = spawn('sh', ['-c', line], { cwd: copy, env: userEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
            child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
            child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
            servers.push(child)
            const response = await waitFor(url, child, () => output)
            expect(response.status, command).toBe(200)
            if (!url.endsWith('/health')) expect(await response.text(), command).toMatch(/<!doctype html>/i)
            else {
              // The worker serves the inspector at / as well.
              const page = await fetch(new URL('/', url))
              expect(await page.text(), `${command}: GET /`).toMatch(/<!doctype html>/i)
            }
            if (/^npm run (dev|inspector)\b/.test(command)) {
              // The inspector's copy of the core is not in git: the command itself must have built it.
              const bundle = await fetch(new URL('/hallpass.js', url))
              expect(bundle.status, `${command}: GET /hallpass.js`).toBe(200)
              expect(await bundle.text(), `${command}: GET /hallpass.js`).toMatch(/export\s*\{[^}]*\bcreateHallpass\b/)
            }
            continue
          }
          expect(command, 'a README command this test does not know how to run').toMatch(/^(echo .*\| npm start --silent|npm start --silent -- --help|curl |npm run example:(node|deno)$)/)
          const result = spawnSync('sh', ['-c', line], { cwd: copy, env: userEnv(env), encoding: 'utf8', timeout: 120_000 })
          expect(result.status, `${command}\n${result.stdout}\n${result.stderr}`).toBe(0)
          const replies = jsonLines(result.stdout)
          expect(replies.length, `${command} printed no JSON:\n${result.stdout}\n${result.stderr}`).toBeGreaterThan(0)
          // `# → token_revoked` after a command: the README says that this one is refused, and why.
          const refusal = /# → (\w+)$/.exec(raw)?.[1]
          if (refusal !== undefined) {
            expect(replies.map(bodyOf), command).toEqual([expect.objectContaining({ type: 'token_invalid', code: refusal })])
            continue
          }
          for (const reply of replies) {
            const body = bodyOf(reply)
            expect(['error', 'token_invalid'], `${command} answered ${JSON.stringify(reply)}`).not.toContain(body.type)
            if (body.type === 'token_generated') accessToken = body.access_token as string
          }
          if (command.includes('generate_access_token')) expect(accessToken, command).toBeDefined()
          if (command.includes('verify_token')) expect(bodyOf(replies.at(-1)!), command).toMatchObject({ type: 'token_valid', payload: { sub: 'user123' } })
          if (command.startsWith('npm run example:')) expect(replies.at(-1), command).toMatchObject({ sub: 'user123', reuse: 'refresh_token_reused' })
        }
      } finally {
        await Promise.all(servers.map(stop))
      }
    })
  })
})
