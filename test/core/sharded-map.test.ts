// The memory store's sharded map: what a Map does, and a sweep that removes every expired entry
// in a bounded number of steps while never touching a live one.
import { describe, expect, it } from 'vitest'
import { ShardedMap } from '../../src/store/sharded-map.ts'

describe('ShardedMap', () => {
  it('gets, sets and counts like a Map', () => {
    const map = new ShardedMap<number>((v) => v)
    for (let i = 0; i < 5000; i++) map.set(`k${i}`, i)
    map.set('k1', 99)
    expect(map.size).toBe(5000)
    expect(map.get('k1')).toBe(99)
    expect(map.get('k4999')).toBe(4999)
    expect(map.get('nope')).toBeUndefined()
  })

  it('sweeps every expired entry within a bounded number of steps, and no live one', () => {
    const map = new ShardedMap<number>((expiresAt) => expiresAt)
    for (let i = 0; i < 3000; i++) map.set(`id-${i}-${Math.random().toString(36).slice(2)}`, i % 3 === 0 ? 10 : 1000)
    // Each step looks at 8 entries or passes 64 shards: a full pass over 3000 entries in 1024
    // shards takes at most 3000 / 8 + 1024 / 64 steps.
    for (let step = 0; step < 3000 / 8 + 1024 / 64 + 1; step++) map.sweep(500)
    expect(map.size).toBe(2000)
    for (let step = 0; step < 400; step++) map.sweep(500)
    expect(map.size).toBe(2000)
  })

  it('costs nothing to sweep when empty or nearly so', () => {
    const map = new ShardedMap<number>((v) => v)
    map.sweep(1)
    map.set('only', 5)
    for (let step = 0; step < 20; step++) map.sweep(1)
    expect(map.size).toBe(1)
    for (let step = 0; step < 20; step++) map.sweep(5)
    expect(map.size).toBe(0)
  })
})
