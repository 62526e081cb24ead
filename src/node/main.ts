#!/usr/bin/env node
// `npm start --silent` / `hallpass`: the stdin node over the PROTOCOL configuration.
import process from 'node:process'
import { ConfigError } from '../errors.ts'
import { createHallpass } from '../hallpass.ts'
import { optionsFromEnvironment, readSetting } from '../protocol/environment.ts'
import { checkedNumber, describeSettings } from '../protocol/settings.ts'
import { nodeHmac } from './hmac.ts'
import { serve } from './serve.ts'

const USAGE = `hallpass: a JWT node speaking the hallpass line protocol on stdin/stdout.

Usage: hallpass            (or, in the repository: npm start --silent)
  One JSON message per line on stdin, one reply per line on stdout; diagnostics on stderr.
  Messages: init, generate_access_token, verify_token, refresh_token, revoke_token, inspect_token.

Configuration (environment):
${describeSettings('node')}
`

function log(message: string): void {
  process.stderr.write(`hallpass: ${message}\n`)
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE)
    return
  }
  let maxLineBytes: number
  let hp
  try {
    maxLineBytes = checkedNumber('maxLineBytes', readSetting(process.env, 'maxLineBytes'))
    hp = await createHallpass({ ...optionsFromEnvironment(process.env), hmac: nodeHmac, onWarning: log })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    log(`cannot start: ${error.message}`)
    process.exitCode = 1
    return
  }
  const handler = hp.handler({ onInternalError: (error) => log(`internal error: ${error instanceof Error ? (error.stack ?? error.name) : 'unknown'}`) })
  process.stdout.on('error', (error) => {
    // The reader went away (EPIPE): nobody is left to answer.
    log(`stdout closed: ${error.message}`)
    process.exit(0)
  })
  const server = serve(handler, { input: process.stdin, output: process.stdout, log, maxLineBytes })
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.stop())
  await server.done
  process.exit(0)
}

await main()
