// `hallpass keygen`: a new private JWK for HALLPASS_KEYS, or (--public) the JWK Set to publish from
// private keys read on stdin. Errors name the problem, never key material.
import { ConfigError } from '../errors.ts'
import { ALGORITHMS, algorithmNamed } from '../keys/algorithms.ts'
import { generateJwk } from '../keys/generate.ts'
import { checkKeySet, publicJwk } from '../keys/jwk.ts'

export const KEYGEN_USAGE = `Usage: hallpass keygen --alg ${Object.keys(ALGORITHMS).join('|')}
         prints a new private JWK (with its alg and a fresh kid) for HALLPASS_KEYS
       hallpass keygen --public < private.json
         reads a JWK or a JWK Set and prints the JWK Set to publish (public members only)`

/** The output of `hallpass keygen` for these arguments (after `keygen`); `input` is stdin's text. */
export async function keygen(args: string[], readInput: () => Promise<string>): Promise<string> {
  if (args.includes('--public')) {
    const text = (await readInput()).trim()
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new ConfigError('keygen --public: stdin is not JSON: give a JWK or a JWK Set')
    }
    const set = typeof value === 'object' && value !== null && 'keys' in value ? value : { keys: [value] }
    const keys = await checkKeySet(set, 'keygen --public')
    const symmetric = keys.find((key) => key.public.kty === 'oct')
    if (symmetric !== undefined) throw new ConfigError(`keygen --public: key "${symmetric.kid}" is an HMAC secret: it has no public half and is never published`)
    return JSON.stringify({ keys: keys.map(publicJwk) })
  }
  const flag = args.indexOf('--alg')
  const alg = flag >= 0 ? algorithmNamed(args[flag + 1]) : undefined
  if (alg === undefined) throw new ConfigError(`keygen needs --alg with one of ${Object.keys(ALGORITHMS).join(', ')}`)
  return JSON.stringify(await generateJwk(alg))
}
