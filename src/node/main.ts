#!/usr/bin/env node
// `npm start --silent` / `hallpass`: the stdin node over the PROTOCOL configuration.
import process from 'node:process'
import { ConfigError, StoreError } from '../errors.ts'
import { createHallpass } from '../hallpass.ts'
import { optionsFromEnvironment, readSetting } from '../protocol/environment.ts'
import { checkedNumber, describeSettings } from '../protocol/settings.ts'
import { nodeCrypto } from './crypto.ts'
import { keygen, KEYGEN_USAGE } from './keygen.ts'
import { serve } from './serve.ts'
import { openStore } from './store.ts'

const USAGE = `hallpass: a JWT node speaking the hallpass line protocol on stdin/stdout.

Usage: hallpass            (or, in the repository: npm start --silent)
  One JSON message per line on stdin, one reply per line on stdout; diagnostics on stderr.
  Messages: init, generate_access_token, verify_token, refresh_token, revoke_token, revoke_subject,
  inspect_token, jwks.

${KEYGEN_USAGE}

Configuration (environment):
${describeSettings('node')}
`

function log(message: string): void {
  process.stderr.write(`hallpass: ${message}\n`)
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE)
    return
  }
  if (process.argv[2] === 'keygen') {
    try {
      process.stdout.write(`${await keygen(process.argv.slice(3), readStdin)}\n`)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      log(error.message)
      process.exitCode = 1
    }
    return
  }
  let maxLineBytes: number
  let hp
  let store
  try {
    maxLineBytes = checkedNumber('maxLineBytes', readSetting(process.env, 'maxLineBytes'))
    const options = optionsFromEnvironment(process.env)
    const waitMs = checkedNumber('storeWait', readSetting(process.env, 'storeWait')) * 1000
    const pool = checkedNumber('storePool', readSetting(process.env, 'storePool'))
    const stalenessMs = checkedNumber('revocationStaleness', readSetting(process.env, 'revocationStaleness'))
    store = await openStore(readSetting(process.env, 'store'), { waitMs, pool, log, stalenessMs })
    hp = await createHallpass({ ...options, crypto: nodeCrypto, onWarning: log, store, storeWait: waitMs / 1000 })
  } catch (error) {
    await store?.close?.()
    if (!(error instanceof ConfigError) && !(error instanceof StoreError)) throw error
    log(`cannot start: ${error.message}`)
    process.exitCode = 1
    return
  }
  const handler = hp.handler({ onInternalError: (error) => log(`internal error: ${error instanceof Error ? (error.stack ?? error.name) : 'unknown'}`) })
  process.stdout.on('error', (error) => {
    // The reader went away (EPIPE): nobody is left to answer.
    log(`stdout closed: ${error.message}`)
    void Promise.resolve(store.close?.()).finally(() => process.exit(0))
  })
  const server = serve(handler, { input: process.stdin, output: process.stdout, log, maxLineBytes })
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.stop())
  await server.done
  // Every reply is written, so every change it reported is committed; close folds the WAL back.
  await store.close?.()
  process.exit(0)
}

await main()
