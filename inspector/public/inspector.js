// The hallpass inspector: decodes a pasted token with the hallpass core's inspect(), shows its
// times with a live countdown, warns about risky contents, and verifies it with a pasted key or
// secret through the core's own verifier (createVerifier): an HS secret, a JWK, a JWK Set or a PEM
// public key, each bound to its one algorithm by the core's key checks. All of it runs in this
// page: no request is made (the page's CSP forbids any; a JWKS URL is never fetched), nothing is
// stored. Token contents are untrusted: they are only ever put in the page as text, never as HTML.
// No verdict repeats the token or key material: only algorithms, key types and kids.
import {
  createHallpass, createVerifier, inspect, checkJwk, checkKeySet, thumbprint, pemToJwk, keyAlgorithms, algorithmNamed, isSymmetric,
  ALGORITHMS, REFRESH_TYP, ConfigError, TokenError, TOKEN_ERRORS,
} from './hallpass.js'

const $ = (id) => document.getElementById(id)
const DEMO_SECRET = 'inspector-demo-secret-at-least-32-bytes!'
const LONG_LIFETIME = 24 * 3600 // seconds: longer than a day is long for an access token
const SENSITIVE = /pass(word|wd|phrase)?$|^pwd$|secret|ssn|social.?security|card|credit|^cc.?(num|number)?$|cvv|cvc|^pin$|private.?key|api.?key|iban/i
const SUPPORTED = Object.keys(ALGORITHMS).join(', ')
const TIME_CLAIMS = [
  // claim, said of a time to come, said of a time gone by
  ['iat', 'issued in', 'issued'],
  ['nbf', 'valid in', 'became valid'],
  ['exp', 'expires in', 'expired'],
]

let current = null // { token, header, payload }
let verifyRun = 0

/** "2d 3h", "14m 05s": a duration in seconds, two units at most. */
export function duration(seconds) {
  let s = Math.abs(Math.round(seconds))
  const units = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]
  const found = units.findIndex(([, size]) => s >= size)
  const first = found === -1 ? units.length - 1 : found
  const parts = []
  for (const [unit, size] of units.slice(first, first + 2)) {
    const n = Math.floor(s / size)
    parts.push(parts.length ? `${String(n).padStart(2, '0')}${unit}` : `${n}${unit}`)
    s -= n * size
  }
  return parts.join(' ')
}

/** What looks risky in a decoded token, most severe first: [{ level: 'danger' | 'warn', text }]. */
export function warningsFor(header, payload, nowSeconds = Date.now() / 1000) {
  const found = []
  const alg = header.alg
  if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
    found.push({ level: 'danger', text: `alg is "${alg}": the token is unsigned and anyone can forge it. hallpass never accepts it.` })
  } else if (algorithmNamed(alg) === undefined) {
    found.push({ level: 'warn', text: `alg is ${typeof alg === 'string' ? JSON.stringify(shown(alg)) : shown(alg ?? null)}: hallpass verifies ${SUPPORTED} (and Ed25519, the same as EdDSA) only, so it refuses this token.` })
  }
  if (!('exp' in payload)) {
    found.push({ level: 'danger', text: 'No exp claim: the token never expires. hallpass refuses tokens without exp.' })
  } else if (typeof payload.exp !== 'number') {
    found.push({ level: 'danger', text: 'exp is not a number: verifiers disagree on such tokens; hallpass refuses it.' })
  } else {
    const from = typeof payload.iat === 'number' ? payload.iat : nowSeconds
    const lifetime = payload.exp - from
    if (lifetime > LONG_LIFETIME) {
      found.push({ level: 'warn', text: `Long lifetime: ${duration(lifetime)}${typeof payload.iat === 'number' ? ' from iat to exp' : ' left'}. A leaked access token stays usable that long; prefer minutes and refresh tokens.` })
    }
  }
  for (const path of sensitiveClaims(payload)) {
    found.push({ level: 'danger', text: `Sensitive-looking claim "${path}": a JWT payload is only encoded, not encrypted; anyone holding the token can read it.` })
  }
  for (const name of ['jku', 'x5u', 'jwk', 'x5c']) {
    if (name in header) found.push({ level: 'warn', text: `Header "${name}": names or carries its own key. Never let a token choose the key that verifies it (hallpass ignores it).` })
  }
  if ('crit' in header) found.push({ level: 'warn', text: 'Header "crit": critical extensions hallpass does not implement; it refuses the token.' })
  if (typeof header.typ === 'string' && header.typ.toLowerCase().includes('refresh')) {
    found.push({ level: 'warn', text: 'A refresh token: it is signed with the refresh key (HALLPASS_REFRESH_SECRET or the key derived from HALLPASS_SECRET), not the access secret.' })
  }
  return found.sort((a, b) => (a.level === b.level ? 0 : a.level === 'danger' ? -1 : 1))
}

function sensitiveClaims(value, prefix = '', depth = 0) {
  if (typeof value !== 'object' || value === null || depth > 8) return []
  return Object.entries(value).flatMap(([key, inner]) => {
    const path = prefix ? `${prefix}.${key}` : key
    return [...(SENSITIVE.test(key) ? [path] : []), ...sensitiveClaims(inner, path, depth + 1)]
  })
}

/** Pretty-printed, highlighted JSON as DOM nodes (text only: untrusted input never becomes HTML). */
function jsonNodes(value, indent = '') {
  const frag = document.createDocumentFragment()
  const span = (cls, text) => {
    const el = document.createElement('span')
    el.className = cls
    el.textContent = text
    return el
  }
  const text = (t) => document.createTextNode(t)
  if (Array.isArray(value) || (typeof value === 'object' && value !== null)) {
    const entries = Array.isArray(value) ? value.map((v) => [null, v]) : Object.entries(value)
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
    if (entries.length === 0) return frag.appendChild(text(open + close)), frag
    frag.append(text(`${open}\n`))
    entries.forEach(([key, inner], i) => {
      frag.append(text(`${indent}  `))
      if (key !== null) frag.append(span('k', JSON.stringify(key)), text(': '))
      frag.append(jsonNodes(inner, `${indent}  `), text(i < entries.length - 1 ? ',\n' : '\n'))
    })
    frag.append(text(indent + close))
  } else if (typeof value === 'string') frag.append(span('s', JSON.stringify(value)))
  else if (typeof value === 'number') frag.append(span('n', String(value)))
  else frag.append(span('b', JSON.stringify(value)))
  return frag
}

function showError(message) {
  $('error').textContent = message
  $('error').hidden = !message
}

function decode() {
  const token = $('token').value.trim()
  $('verdict').textContent = ''
  $('verdict').className = 'verdict'
  if (!token) {
    current = null
    $('decoded').hidden = true
    showError('')
    return
  }
  try {
    const { header, payload } = inspect(token)
    current = { token, header, payload }
  } catch (error) {
    current = null
    $('decoded').hidden = true
    showError(error instanceof TokenError ? `${TOKEN_ERRORS[error.code]}: this is not a compact JWS (three base64url parts, JSON header and payload).` : 'Cannot decode this token.')
    return
  }
  showError('')
  $('header').replaceChildren(jsonNodes(current.header))
  $('payload').replaceChildren(jsonNodes(current.payload))
  const warnings = warningsFor(current.header, current.payload)
  $('warnings').replaceChildren(
    ...(warnings.length ? warnings : [{ level: 'none', text: 'No warnings.' }]).map(({ level, text }) => {
      const li = document.createElement('li')
      li.className = level
      li.textContent = text
      return li
    }),
  )
  renderTimes()
  $('decoded').hidden = false
  if ($('key').value.trim()) verify()
}

/** The time claims in local time with live relative times, and the token's time status. */
function renderTimes() {
  if (!current) return
  const now = Date.now() / 1000
  const { payload } = current
  const rows = TIME_CLAIMS.filter(([claim]) => claim in payload).map(([claim, ahead, gone]) => {
    const value = payload[claim]
    const tr = document.createElement('tr')
    tr.dataset.claim = claim
    const cells = [claim, '', '']
    if (typeof value === 'number' && Number.isFinite(value)) {
      const date = new Date(value * 1000)
      cells[1] = date.toLocaleString()
      const delta = value - now
      cells[2] = delta >= 0 ? `${ahead} ${duration(delta)}` : `${gone} ${duration(delta)} ago`
      tr.title = date.toISOString()
    } else {
      cells[1] = `not a number: ${JSON.stringify(value)}`
    }
    for (const [i, content] of cells.entries()) {
      const td = document.createElement('td')
      td.textContent = content
      if (i === 2 && claim === 'exp') td.className = value - now >= 0 ? 'future' : 'past'
      tr.append(td)
    }
    return tr
  })
  if (rows.length === 0) {
    const tr = document.createElement('tr')
    const td = document.createElement('td')
    td.colSpan = 3
    td.textContent = 'No iat, nbf or exp claim.'
    tr.append(td)
    rows.push(tr)
  }
  $('times').tBodies[0].replaceChildren(...rows)
  const status = $('status')
  if (typeof payload.exp !== 'number') [status.textContent, status.className] = ['no expiry', 'badge bad']
  else if (payload.exp <= now) [status.textContent, status.className] = [`expired ${duration(now - payload.exp)} ago`, 'badge bad']
  else if (typeof payload.nbf === 'number' && payload.nbf > now) [status.textContent, status.className] = ['not yet valid', 'badge warn']
  else [status.textContent, status.className] = [`valid for ${duration(payload.exp - now)}`, 'badge ok']
}

// ---- Verification with a pasted key or secret ------------------------------------------------

const MAX_SHOWN = 64
const TYPE_NAMES = { secret: 'HS secret', JWK: 'JWK', JWKS: 'JWK Set', PEM: 'PEM public key', JSON: 'JSON' }

/** A kid or an alg from untrusted input, for a verdict: as text, and short. */
function shown(value) {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text
}

/** A pasted key the core refused: its input type and the core's reason, which never holds key material. */
class KeyRefused extends Error {
  constructor(type, message) {
    super(message)
    this.type = type
  }
}

function refusal(type, error) {
  if (error instanceof KeyRefused) return error
  // checkJwk names a key by its place in a set: "key #1" of a single pasted key says nothing.
  if (error instanceof ConfigError) return new KeyRefused(type, error.message.replace(/^(JWK|PEM): key #1: /, '$1: '))
  return new KeyRefused(type, `${TYPE_NAMES[type]}: the key cannot be imported: it is not a valid key`)
}

/**
 * The algorithm a key is bound to: its own `alg` (checkJwk checks it against its kty and crv), or,
 * when it names none, the one its curve implies (EC, OKP), HS256 for a secret (as HALLPASS_SECRET's
 * JWK form), and for RSA the token's alg only if it is RS256 or PS256 (`bound: 'token'`); never an
 * HS algorithm for a public key.
 */
function bindAlgorithm(raw, tokenAlg, where) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw.alg !== undefined) return { raw, bound: 'own' }
  if (raw.kty === 'oct') return { raw: { ...raw, alg: 'HS256' }, bound: 'secret' }
  const algs = keyAlgorithms(raw)
  if (algs.length === 1) return { raw: { ...raw, alg: algs[0] }, bound: 'type' }
  if (algs.length > 1) {
    const chosen = algs.includes(tokenAlg) ? tokenAlg : undefined
    // Not the token's alg: RS256 stands in to check the key; the key verifies nothing under it.
    return { raw: { ...raw, alg: chosen ?? algs[0] }, bound: chosen === undefined ? 'none' : 'token', algs }
  }
  if (raw.kty === 'EC' || raw.kty === 'OKP') throw new ConfigError(`${where}: an ${raw.kty} key on ${shown(raw.crv ?? null)}: hallpass verifies P-256 (ES256), P-384 (ES384) and Ed25519 (EdDSA) keys only`)
  return { raw, bound: 'own' } // checkJwk says what is missing
}

/** What the page shows of a checked key: never its material. */
async function summarize(checked, bound, algs, raw) {
  const { kty, crv } = checked.public
  return {
    alg: bound === 'none' ? undefined : checked.alg,
    algs: algs ?? [checked.alg],
    bound,
    kty,
    kind: kty === 'RSA' ? `RSA ${checked.modulusBytes * 8}-bit` : kty === 'EC' ? `EC ${crv}` : kty === 'OKP' ? crv : 'oct',
    kid: checked.kid,
    ownKid: raw.kid !== undefined,
    thumb: kty === 'oct' ? undefined : await thumbprint(checked.public),
    private: kty !== 'oct' && checked.private !== undefined,
  }
}

const algOf = (key) => key.alg ?? key.algs.join(' or ')

function describeKey(key) {
  if (key.kty === 'oct') return `secret, ${key.alg}`
  const alg = key.bound === 'none' || key.bound === 'token' ? 'RS256 or PS256, as the token says (it names no alg)' : key.alg
  return `${key.kind} ${key.private ? 'private key (only its public members are used)' : 'public key'}, ${alg}`
}

/** The JWK the verifier gets: the public members only, or an `oct` key's secret. */
const material = (checked) => (checked.public.kty === 'oct' ? checked.private : checked.public)

async function secretKey(text) {
  // As the former password field did: line breaks are not part of a secret.
  const secret = text.replace(/[\r\n]+/g, '')
  try {
    const verifier = await createVerifier({ secret })
    return { type: 'secret', summary: 'HS secret (HALLPASS_SECRET), HS256', keys: [{ alg: 'HS256', algs: ['HS256'], kty: 'oct', bound: 'secret' }], verifier }
  } catch (error) {
    throw refusal('secret', error)
  }
}

async function singleKey(type, raw, tokenAlg, tokenKid, note) {
  try {
    const { raw: bound, bound: how, algs } = bindAlgorithm(raw, tokenAlg, type)
    const checked = checkJwk(bound, 0, type)
    const key = await summarize(checked, how, algs, raw)
    // A key with a kid must be the one the token names, as in the core. A key without one is the
    // one key pasted: it is tried whatever kid the token names.
    const kid = checked.kid ?? (typeof tokenKid === 'string' && tokenKid !== '' ? tokenKid : (key.thumb ?? 'pasted-secret'))
    const verifier = await createVerifier({ keys: { keys: [{ ...material(checked), alg: checked.alg, kid }] } })
    return { type, summary: `${TYPE_NAMES[type]}${note ? ` ${note}` : ''}: ${describeKey(key)}`, keys: [key], verifier }
  } catch (error) {
    throw refusal(type, error)
  }
}

async function keySet(set, tokenAlg) {
  try {
    const raws = Array.isArray(set.keys) ? set.keys : undefined
    const bound = raws?.map((raw, i) => bindAlgorithm(raw, tokenAlg, `JWK Set: key #${i + 1}`))
    // The core's checks: each key as checkJwk, thumbprints for kids, unique kids.
    const checked = await checkKeySet(bound === undefined ? set : { keys: bound.map((b) => b.raw) }, 'JWK Set')
    const keys = await Promise.all(checked.map((c, i) => summarize(c, bound[i].bound, bound[i].algs, raws[i])))
    const verifier = await createVerifier({ keys: { keys: checked.map((c) => ({ ...material(c), alg: c.alg, kid: c.kid })) } })
    const list = keys.map((key) => `${shown(key.kid)}${key.ownKid ? '' : ' (thumbprint)'}: ${describeKey(key)}`).join('; ')
    return { type: 'JWKS', summary: `JWK Set, ${keys.length} key${keys.length === 1 ? '' : 's'}: ${list}`, keys, verifier }
  } catch (error) {
    throw refusal('JWKS', error)
  }
}

/**
 * Reads the key field: a PEM public key, a JWK, a JWK Set, or else an HS secret, and makes the
 * core's verifier for it. `tokenAlg` binds an RSA key that names no alg; `tokenKid` is the kid a
 * single key without one answers to.
 */
async function readKey(text, tokenAlg, tokenKid) {
  const trimmed = text.trim()
  if (trimmed.startsWith('-----BEGIN')) {
    const jwk = await pemToJwk(trimmed, 'PEM').catch((error) => Promise.reject(refusal('PEM', error)))
    return singleKey('PEM', jwk, tokenAlg, tokenKid)
  }
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json
    try {
      json = JSON.parse(trimmed)
    } catch {
      throw new KeyRefused('JSON', 'this starts like JSON but is not valid JSON: expected a JWK {"kty":…} or a JWK Set {"keys":[…]}')
    }
    if (Array.isArray(json)) throw new KeyRefused('JSON', 'a JSON array: paste a JWK Set, {"keys":[…]}')
    if (typeof json === 'object' && json !== null && 'keys' in json) return keySet(json, tokenAlg)
    return singleKey('JWK', json, tokenAlg, tokenKid)
  }
  // A public key's base64 without its BEGIN/END lines is still a public key, never an HMAC secret.
  const bare = trimmed.replace(/\s+/g, '')
  if (bare.length >= 40 && /^[A-Za-z0-9+/]+={0,2}$/.test(bare)) {
    const jwk = await pemToJwk(`-----BEGIN PUBLIC KEY-----\n${bare}\n-----END PUBLIC KEY-----`).catch(() => undefined)
    if (jwk !== undefined) return singleKey('PEM', jwk, tokenAlg, tokenKid, '(base64 without its BEGIN/END lines)')
  }
  return secretKey(text)
}

/** alg `none` or an algorithm hallpass does not verify: refused whatever the key. */
function unsupported(name) {
  if (typeof name === 'string' && name.toLowerCase() === 'none') return `✘ Unsigned token (alg ${shown(name)}): never accepted, whatever the key.`
  return `✘ Unsupported algorithm ${shown(name ?? null)}: hallpass verifies ${SUPPORTED} (and Ed25519, the same as EdDSA) only.`
}

/** The key that verified (the only one the core can have selected), for the verdict. */
function usedKey({ type, keys }, header, alg) {
  const key = (type !== 'secret' && header.kid !== undefined ? keys.find((k) => k.kid === header.kid && k.alg === alg) : undefined) ?? keys.find((k) => k.alg === alg)
  if (key?.ownKid) return `${alg}, kid ${shown(key.kid)}`
  if (key?.thumb !== undefined) return type === 'JWKS' ? `${alg}, kid ${key.thumb}, its thumbprint` : `${alg}, key thumbprint ${key.thumb}`
  return alg
}

function rsaNote({ keys }, alg) {
  return keys.some((key) => key.bound === 'token' && key.alg === alg) ? ` The RSA key names no alg: ${alg}, the token's, was used (an RSA key verifies RS256 or PS256 only).` : ''
}

/**
 * Why the core found no key for the token (unsupported_algorithm, unknown_key), in the words of
 * what was pasted: the core decided; this only explains.
 */
function explainNoKey({ type, keys }, header, alg) {
  if (alg === undefined) return unsupported(header.alg)
  const { kid } = header
  let candidates = keys
  if (type === 'JWKS' && kid !== undefined) {
    candidates = keys.filter((key) => key.kid === kid)
    if (candidates.length === 0) return `✘ No key in this set matches kid ${shown(kid)} (its kids: ${keys.map((key) => shown(key.kid)).join(', ')}).`
  }
  const subject = (key) => (type === 'JWKS' ? `Key ${shown(key.kid)}` : type === 'secret' ? 'This secret' : 'This key')
  if (isSymmetric(alg) && candidates.every((key) => key.kty !== 'oct')) {
    const which = candidates.length === 1 ? `${subject(candidates[0])} is for ${algOf(candidates[0])}` : `This set holds public keys only (${[...new Set(candidates.map(algOf))].join(', ')})`
    return `✘ ${which}, the token says ${alg}: refused. An HMAC token is never verified with a public key (that is the key-confusion attack); paste the HMAC secret instead.`
  }
  if (candidates.length === 1) {
    const [key] = candidates
    if (key.alg !== alg) {
      const hint = type === 'secret' ? ' A public-key token needs the issuer’s public key: its JWK, JWK Set or PEM.' : ''
      return `✘ ${subject(key)} is for ${algOf(key)}, the token says ${alg}.${hint}`
    }
    if (type !== 'JWKS' && kid !== undefined && key.kid !== undefined && key.kid !== kid) return `✘ This key’s kid is ${shown(key.kid)}, the token names kid ${shown(kid)}.`
  }
  if (type === 'JWKS') {
    const fitting = keys.filter((key) => key.alg === alg)
    if (fitting.length === 0) return `✘ No key in this set is for ${alg} (its keys are for ${[...new Set(keys.map(algOf))].join(', ')}).`
    if (kid === undefined && fitting.length > 1) return `✘ The token names no kid and ${fitting.length} keys of this set are for ${alg}: which one signed it cannot be told.`
  }
  return undefined
}

const isRefresh = (header) => typeof header.typ === 'string' && header.typ.toLowerCase() === REFRESH_TYP
/** Refusals the core makes only after the signature verified. */
const AFTER_SIGNATURE = new Set(['token_expired', 'token_not_yet_valid', 'invalid_claims', 'wrong_token_type'])

function refusedVerdict(code, input, header, alg) {
  if (code === 'invalid_signature') {
    const subject = input.type === 'secret' ? 'this secret' : input.type === 'JWKS' ? 'the key of this set that fits it' : 'this key'
    return [`✘ Invalid signature: ${subject} did not sign this token (${usedKey(input, header, alg)}).`, 'bad']
  }
  // Without a refresh key, the core refuses a refresh token before its signature.
  if (code === 'wrong_token_type' && isRefresh(header)) return ['✘ A refresh token: only its issuer verifies it, with the refresh key (HALLPASS_REFRESH_SECRET, or the key derived from HALLPASS_SECRET). Its signature was not checked.', 'bad']
  if (AFTER_SIGNATURE.has(code)) return [`✔ Signature valid (${usedKey(input, header, alg)}), but the token is refused: ${TOKEN_ERRORS[code]} (${code}).${rsaNote(input, alg)}`, 'warn']
  if (code === 'malformed_token') return [`✘ ${TOKEN_ERRORS[code]}${header.crit !== undefined ? ': its "crit" header names extensions hallpass does not implement' : ''}.`, 'bad']
  if (code === 'unsupported_algorithm' || code === 'unknown_key') return [explainNoKey(input, header, alg) ?? `✘ ${TOKEN_ERRORS[code]}.`, 'bad']
  return [`✘ ${TOKEN_ERRORS[code] ?? 'Refused'} (${code}).`, 'bad']
}

function showKeyType(text) {
  $('key-type').textContent = text
}

/** Verifies the current token with the pasted key or secret, in the page, with the core's verifier. */
async function verify() {
  const run = ++verifyRun
  const verdict = $('verdict')
  const say = (text, cls) => {
    if (run !== verifyRun) return
    verdict.textContent = text
    verdict.className = cls ? `verdict ${cls}` : 'verdict'
  }
  say('')
  const keyText = $('key').value
  if (!keyText.trim()) {
    showKeyType('')
    return current ? say('Paste a key or secret to verify the signature: an HS secret, a JWK, a JWK Set or a PEM public key.', 'warn') : undefined
  }
  const header = current?.header ?? {}
  const alg = algorithmNamed(header.alg)
  let input
  try {
    input = await readKey(keyText, alg, header.kid)
  } catch (error) {
    if (run !== verifyRun) return
    const refused = refusal('JSON', error)
    showKeyType(`Detected: ${TYPE_NAMES[refused.type]}`)
    return say(`✘ Key refused: ${refused.message}`, 'bad')
  }
  if (run !== verifyRun) return
  showKeyType(`Detected: ${input.summary}`)
  if (!current) return say('Paste a token first.', 'warn')
  try {
    await input.verifier.verify(current.token)
    say(`✔ Signature valid (${usedKey(input, header, alg)}): the token is valid now.${rsaNote(input, alg)}`, 'ok')
  } catch (error) {
    if (!(error instanceof TokenError)) return say('✘ Verification failed unexpectedly.', 'bad')
    say(...refusedVerdict(error.code, input, header, alg))
  }
}

async function example() {
  const hp = await createHallpass({ secret: DEMO_SECRET, issuer: 'https://auth.example', accessTtl: 900 })
  const { access_token } = await hp.issue({ sub: 'user123', email: 'user@example.com', roles: ['user', 'admin'] })
  $('token').value = access_token
  $('key').value = DEMO_SECRET
  decode()
}

$('token').addEventListener('input', decode)
$('key').addEventListener('input', verify)
// Enter is a new line in a PEM or a JWK Set: Ctrl+Enter (⌘+Enter) verifies again.
$('key').addEventListener('keydown', (event) => event.key === 'Enter' && (event.ctrlKey || event.metaKey) && verify())
$('verify').addEventListener('click', verify)
$('example').addEventListener('click', example)
$('clear').addEventListener('click', () => {
  $('token').value = ''
  $('key').value = ''
  showKeyType('')
  decode()
})
setInterval(renderTimes, 1000)
document.documentElement.dataset.ready = 'true'
decode()
