// The core cases in Deno: `deno test` on this file (run by deno.test.ts in the node project, or
// `npm run test:deno`). One Deno test per case, so Deno's own summary counts them.
import { cases } from './cases.ts'

declare const Deno: {
  test(name: string, fn: () => Promise<void>): void
  version: { deno: string }
}

if (typeof Deno?.version?.deno !== 'string') throw new Error('deno_entry.ts runs under Deno only')

for (const c of cases) Deno.test(c.name, c.run)
