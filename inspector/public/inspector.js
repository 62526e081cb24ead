// The hallpass inspector: decodes a pasted token with the hallpass core's inspect(), shows its
// times with a live countdown, warns about risky contents, and verifies it against a pasted HS256
// secret with createHallpass({ secret }).verify(). All of it runs in this page: no request is made
// (the page's CSP forbids any), nothing is stored. Token contents are untrusted: they are only ever
// put in the page as text, never as HTML.
import { createHallpass, inspect, ConfigError, TokenError, TOKEN_ERRORS } from './hallpass.js'

const $ = (id) => document.getElementById(id)
const DEMO_SECRET = 'inspector-demo-secret-at-least-32-bytes!'
const LONG_LIFETIME = 24 * 3600 // seconds: longer than a day is long for an access token
const SENSITIVE = /pass(word|wd|phrase)?$|^pwd$|secret|ssn|social.?security|card|credit|^cc.?(num|number)?$|cvv|cvc|^pin$|private.?key|api.?key|iban/i
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
  } else if (alg !== 'HS256') {
    found.push({ level: 'warn', text: `alg is ${JSON.stringify(alg ?? null)}: hallpass verifies HS256 only, so it refuses this token.` })
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
  for (const name of ['jku', 'x5u', 'jwk']) {
    if (name in header) found.push({ level: 'warn', text: `Header "${name}": names its own key. Never let a token choose the key that verifies it (hallpass ignores it).` })
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
  if ($('secret').value) verify()
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

/** Verifies the current token with the pasted secret (HS256), in the page. */
async function verify() {
  const run = ++verifyRun
  const verdict = $('verdict')
  const say = (text, cls) => {
    if (run !== verifyRun) return
    verdict.textContent = text
    verdict.className = `verdict ${cls}`
  }
  if (!current) return say('Paste a token first.', 'warn')
  const secret = $('secret').value
  if (!secret) return say('Paste the HS256 secret (HALLPASS_SECRET) to verify the signature.', 'warn')
  let hp
  try {
    hp = await createHallpass({ secret, onWarning: () => {} })
  } catch (error) {
    return say(error instanceof ConfigError ? `Secret refused: ${error.message}` : 'Secret refused.', 'bad')
  }
  try {
    await hp.verify(current.token)
    say('✔ Signature verified: the token is valid now.', 'ok')
  } catch (error) {
    if (!(error instanceof TokenError)) return say('Verification failed unexpectedly.', 'bad')
    const code = error.code
    if (code === 'invalid_signature') say('✘ Invalid signature: this secret did not sign this token.', 'bad')
    else if (code === 'unsupported_algorithm') say('✘ Unsupported algorithm: hallpass verifies HS256 only.', 'bad')
    else if (code === 'malformed_token') say(`✘ ${TOKEN_ERRORS[code]}.`, 'bad')
    else say(`✔ Signature verified, but the token is refused: ${TOKEN_ERRORS[code]} (${code}).`, 'warn')
  }
}

async function example() {
  const hp = await createHallpass({ secret: DEMO_SECRET, issuer: 'https://auth.example', accessTtl: 900 })
  const { access_token } = await hp.issue({ sub: 'user123', email: 'user@example.com', roles: ['user', 'admin'] })
  $('token').value = access_token
  $('secret').value = DEMO_SECRET
  decode()
}

$('token').addEventListener('input', decode)
$('secret').addEventListener('input', () => current && verify())
$('secret').addEventListener('keydown', (event) => event.key === 'Enter' && verify())
$('verify').addEventListener('click', verify)
$('example').addEventListener('click', example)
$('clear').addEventListener('click', () => {
  $('token').value = ''
  $('secret').value = ''
  decode()
})
setInterval(renderTimes, 1000)
document.documentElement.dataset.ready = 'true'
decode()
