// The memory store with a million live refresh families: the longest single call while families
// are added, rotated and (a tenth of them) expire, and how much of that is the store's own work.
// Before the incremental sweep, one call a minute walked every family (a 46–51 ms pause at a
// million). Goal: no call over 2 ms from the store's own work at any size. Each call is followed by
// the same call on a store of a thousand families, timed alike: on a shared VM a thread may be
// stopped for milliseconds in any call, and the small store's longest call shows how long.
import { PerformanceObserver } from 'node:perf_hooks'
import { MemoryStore } from '../src/store/memory.ts'
import type { FamilyRecord } from '../src/store/types.ts'

export interface SweepResult {
  families: number
  calls: number
  maxMs: number
  p999Ms: number
  over2Ms: number
  /** The longest call during which V8 did not collect garbage: the store's own work. */
  maxWithoutGcMs: number
  /** Calls over 2 ms during which V8 did not collect garbage. */
  over2MsWithoutGc: number
  /** The same calls, interleaved, on a store of a thousand families: the machine's own stalls. */
  control: { families: number; maxWithoutGcMs: number; over2MsWithoutGc: number }
}

const CONTROL_FAMILIES = 1000

const T = 1_900_000_000

function record(i: number, exp: number): FamilyRecord {
  return { claims: { sub: `user${i}` }, authTimeMs: T * 1000, generation: 0, revoked: false, current: { jti: `j${i}`, iat: T, exp }, rotatedAt: T }
}

export async function benchSweep(log: (line: string) => void = console.log, families = 1_000_000, calls = 200_000): Promise<SweepResult> {
  const gcs: Array<[number, number]> = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcs.push([entry.startTime, entry.startTime + entry.duration])
  })
  observer.observe({ entryTypes: ['gc'] })
  const store = new MemoryStore()
  // A tenth of the families expire at T + 100; the rest live on.
  for (let i = 0; i < families; i++) store.createFamily(`f${i}`, record(i, i % 10 === 0 ? T + 100 : T + 100_000), T)
  const small = new MemoryStore()
  for (let i = 0; i < CONTROL_FAMILIES; i++) small.createFamily(`f${i}`, record(i, i % 10 === 0 ? T + 100 : T + 100_000), T)
  const times = new Float64Array(calls)
  const starts = new Float64Array(calls)
  const controlTimes = new Float64Array(calls)
  const controlStarts = new Float64Array(calls)
  let now = T + 50
  for (let c = 0; c < calls; c++) {
    if (c === calls / 4) now = T + 200 // from here on, a tenth of the store has expired
    const start = performance.now()
    if (c % 2 === 0) store.createFamily(`n${c}`, record(c, now + 100_000), now)
    else store.rotateFamily(`f${(c * 7919) % families}`, { generation: 0, sub: `user${c}`, next: { jti: `x${c}`, iat: now, exp: now + 100_000 }, now, reuseInterval: 0 })
    times[c] = performance.now() - start
    starts[c] = start
    const controlStart = performance.now()
    if (c % 2 === 0) small.createFamily(`n${c}`, record(c, now + 100_000), now)
    else small.rotateFamily(`f${(c * 7919) % CONTROL_FAMILIES}`, { generation: 0, sub: `user${c}`, next: { jti: `x${c}`, iat: now, exp: now + 100_000 }, now, reuseInterval: 0 })
    controlTimes[c] = performance.now() - controlStart
    controlStarts[c] = controlStart
  }
  await new Promise((resolve) => setTimeout(resolve, 100)) // GC entries arrive asynchronously
  observer.disconnect()
  /** The longest of `times` during which no GC ran, and how many were over 2 ms. */
  const withoutGc = (times: Float64Array, starts: Float64Array) => {
    let maxWithoutGcMs = 0
    let over2MsWithoutGc = 0
    for (let c = 0; c < calls; c++) {
      if (times[c]! <= 0.5 || gcs.some(([from, to]) => from < starts[c]! + times[c]! && to > starts[c]!)) continue
      maxWithoutGcMs = Math.max(maxWithoutGcMs, times[c]!)
      if (times[c]! > 2) over2MsWithoutGc++
    }
    return { maxWithoutGcMs, over2MsWithoutGc }
  }
  const { maxWithoutGcMs, over2MsWithoutGc } = withoutGc(times, starts)
  const control = { families: CONTROL_FAMILIES, ...withoutGc(controlTimes, controlStarts) }
  const sorted = Float64Array.from(times).sort()
  const result: SweepResult = {
    families,
    calls,
    maxMs: sorted[calls - 1]!,
    p999Ms: sorted[Math.floor(calls * 0.999)]!,
    over2Ms: times.filter((t) => t > 2).length,
    maxWithoutGcMs,
    over2MsWithoutGc,
    control,
  }
  log(`memory store, ${families.toLocaleString('en')} families: ${calls.toLocaleString('en')} calls, longest ${result.maxMs.toFixed(2)} ms, p99.9 ${result.p999Ms.toFixed(3)} ms, ${result.over2Ms} over 2 ms; without a GC in the call: longest ${maxWithoutGcMs.toFixed(2)} ms, ${over2MsWithoutGc} over 2 ms (the same calls at ${CONTROL_FAMILIES.toLocaleString('en')} families: longest ${control.maxWithoutGcMs.toFixed(2)} ms, ${control.over2MsWithoutGc} over 2 ms); ${store.size.families.toLocaleString('en')} families left`)
  return result
}

if (import.meta.main) await benchSweep(console.log, process.argv.includes('--quick') ? 100_000 : 1_000_000)
