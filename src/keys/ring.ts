// The keys a node verifies its own tokens with: one ring per token kind, each key bound to exactly
// one algorithm, and the ring pair as a key source (jws/verify.ts).
import { checkHeader, HeaderVerdicts, type AcceptedHeader, type HeaderVerdict } from '../jws/header.ts'
import type { KeySource, VerifyKey } from '../jws/verify.ts'
import type { JsonObject } from '../jws/compact.ts'
import type { Signer } from '../jws/sign.ts'
import type { TokenKind } from '../jwt/typ.ts'
import { algorithmNamed, type Algorithm } from './algorithms.ts'

/** One key of a ring: bound to exactly one algorithm; it signs too when it holds private material. */
export interface RingKey extends VerifyKey {
  /** Present on keys with private material. */
  signer?: Signer
}

export interface RingOptions {
  /** Whether a header's `kid` picks the key; without it, the one key of the header's `alg` does. */
  findByKid: boolean
}

/** The keys of one token kind. */
export class KeyRing {
  /** The allow-list: exactly the algorithms of the ring's keys. */
  readonly algorithms: ReadonlySet<Algorithm>
  readonly keys: readonly RingKey[]
  readonly #findByKid: boolean

  constructor(keys: readonly RingKey[], { findByKid }: RingOptions) {
    this.keys = keys
    this.algorithms = new Set(keys.map((key) => key.alg as Algorithm))
    this.#findByKid = findByKid
  }

  /**
   * The key a header names: the one whose `kid` and `alg` both match, or, without a `kid`, the only
   * key of that `alg`. Undefined when there is none (or, without a `kid`, more than one).
   */
  select(header: JsonObject): RingKey | undefined {
    const alg = algorithmNamed(header.alg)
    const { kid } = header
    if (this.#findByKid && kid !== undefined) return this.keys.find((key) => key.kid === kid && key.alg === alg)
    let found: RingKey | undefined
    for (const key of this.keys) {
      if (key.alg !== alg) continue
      if (found !== undefined) return undefined
      found = key
    }
    return found
  }
}

/**
 * This node's own keys as a key source: the access ring for access tokens (and tokens of any other
 * `typ`, refused after their signature), the refresh ring for refresh tokens. The keys never
 * change, so each verdict holds its key and is remembered whole.
 */
export class OwnKeys implements KeySource {
  readonly access: KeyRing
  /** Absent in a verifier that holds no refresh key: refresh tokens are then the wrong type. */
  readonly refresh: KeyRing | undefined
  readonly #verdicts: HeaderVerdicts<RingKey>

  constructor(access: KeyRing, refresh: KeyRing | undefined) {
    this.access = access
    this.refresh = refresh
    this.#verdicts = new HeaderVerdicts((header) => this.#decide(header))
  }

  judge(segment: string): HeaderVerdict<RingKey> {
    return this.#verdicts.judge(segment)
  }

  /** Never asked: every accepted verdict holds its key. */
  key(accepted: AcceptedHeader<RingKey>): RingKey | undefined {
    return accepted.key
  }

  #ring(kind: TokenKind | 'other'): KeyRing | undefined {
    return kind === 'refresh' ? this.refresh : this.access
  }

  #decide(header: JsonObject): HeaderVerdict<RingKey> {
    const checked = checkHeader(header, (kind) => this.#ring(kind)?.algorithms)
    if (checked.error !== undefined) return checked
    const key = this.#ring(checked.kind)!.select(header)
    return key === undefined ? { error: 'unknown_key' } : { ...checked, header, key }
  }
}
