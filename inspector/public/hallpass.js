// The hallpass core (src/index.ts) bundled for the inspector by `npm run build`. Do not edit.

// src/errors.ts
var TOKEN_ERRORS = {
  token_expired: "Token expired",
  invalid_signature: "Invalid signature",
  malformed_token: "Malformed token",
  unsupported_algorithm: "Unsupported algorithm",
  token_not_yet_valid: "Token not yet valid",
  invalid_claims: "Invalid claims",
  wrong_token_type: "Wrong token type",
  token_revoked: "Token revoked",
  refresh_token_reused: "Refresh token reused",
  unknown_key: "Unknown key"
};
var HallpassError = class extends Error {
  code;
  constructor(code, message, options) {
    super(message, options);
    this.code = code;
    this.name = this.constructor.name;
  }
};
var TokenError = class extends HallpassError {
  constructor(code, options) {
    super(code, TOKEN_ERRORS[code], options);
  }
};
var ConfigError = class extends HallpassError {
  constructor(message, options) {
    super("ERR_HALLPASS_CONFIG", message, options);
  }
};
var RequestError = class extends HallpassError {
  constructor(message, options) {
    super("ERR_HALLPASS_REQUEST", message, options);
  }
};

// src/lib/base64url.ts
var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
var DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
function sextet(text, i) {
  const c = text.charCodeAt(i);
  const value = c < 128 ? DECODE[c] : -1;
  if (value < 0) throw new TypeError("not base64url");
  return value;
}
function decode(text) {
  const rest = text.length % 4;
  if (rest === 1) throw new TypeError("not base64url");
  const out = new Uint8Array(text.length * 3 >> 2);
  let o = 0;
  let i = 0;
  const whole = text.length - rest;
  for (; i < whole; i += 4) {
    const n = sextet(text, i) << 18 | sextet(text, i + 1) << 12 | sextet(text, i + 2) << 6 | sextet(text, i + 3);
    out[o++] = n >> 16;
    out[o++] = n >> 8 & 255;
    out[o++] = n & 255;
  }
  if (rest === 2) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    if (b & 15) throw new TypeError("not canonical base64url");
    out[o++] = a << 2 | b >> 4;
  } else if (rest === 3) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    if (c & 3) throw new TypeError("not canonical base64url");
    out[o++] = a << 2 | b >> 4;
    out[o++] = (b & 15) << 4 | c >> 2;
  }
  return out;
}
function encode(bytes) {
  let out = "";
  let i = 0;
  const whole = bytes.length - bytes.length % 3;
  for (; i < whole; i += 3) {
    const n = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[n >> 12 & 63] + ALPHABET[n >> 6 & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - whole;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[n >> 12 & 63];
  } else if (rest === 2) {
    const n = bytes[i] << 16 | bytes[i + 1] << 8;
    out += ALPHABET[n >> 18] + ALPHABET[n >> 12 & 63] + ALPHABET[n >> 6 & 63];
  }
  return out;
}
var utf8Encoder = new TextEncoder();
var utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
var ASCII = /^[\x00-\x7f]*$/;
function encodeText(text) {
  if (!ASCII.test(text)) return encode(utf8Encoder.encode(text));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
var STRICT_ALPHABET = /^[A-Za-z0-9_-]*$/;
var NON_ASCII = /[\x80-\xff]/;
function decodeText(text) {
  const rest = text.length % 4;
  if (rest === 1 || !STRICT_ALPHABET.test(text)) throw new TypeError("not base64url");
  if (rest !== 0 && DECODE[text.charCodeAt(text.length - 1)] & (rest === 2 ? 15 : 3)) {
    throw new TypeError("not canonical base64url");
  }
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  if (!NON_ASCII.test(binary)) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return utf8Decoder.decode(bytes);
}
function utf8(text) {
  return utf8Encoder.encode(text);
}

// src/jws/sign.ts
function encodeHeader(header) {
  return encodeText(JSON.stringify(header));
}
async function sign(encodedHeader, payload, signer) {
  const signingInput = `${encodedHeader}.${encodeText(JSON.stringify(payload))}`;
  return `${signingInput}.${await signer.sign(signingInput)}`;
}

// src/jwt/typ.ts
var ACCESS_TYP = "JWT";
var REFRESH_TYP = "hallpass-refresh+jwt";
var ACCESS_TYP_LOWER = ACCESS_TYP.toLowerCase();
function claimedKind(header) {
  const { typ } = header;
  if (typ === void 0) return "access";
  if (typeof typ !== "string") return "other";
  const lower = typ.toLowerCase();
  if (lower === ACCESS_TYP_LOWER) return "access";
  if (lower === REFRESH_TYP) return "refresh";
  return "other";
}

// src/keys/hmac.ts
var SHA256_BYTES = 32;
var webCryptoHmac = async (secret) => {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  return {
    async sign(input) {
      return encode(new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8(input))));
    },
    async verify(input, signature) {
      let bytes;
      try {
        bytes = decode(signature);
      } catch {
        return false;
      }
      return bytes.length === SHA256_BYTES && crypto.subtle.verify("HMAC", key, bytes, utf8(input));
    }
  };
};
async function hmacRingKey(secret, kid, factory = webCryptoHmac) {
  const hmac = await factory(secret);
  const key = { alg: "HS256", verify: (input, signature) => hmac.verify(input, signature), signer: hmac };
  if (kid !== void 0) key.kid = kid;
  return key;
}

// src/lib/json.ts
var MAX_JSON_DEPTH = 64;
function jsonProblem(value, maxDepth = MAX_JSON_DEPTH, finiteNumbers = false) {
  if (typeof value === "number") return finiteNumbers && !Number.isFinite(value) ? "not_finite" : void 0;
  if (typeof value !== "object" || value === null) return void 0;
  if (maxDepth === 0) return "too_deep";
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, maxDepth - 1, finiteNumbers);
      if (problem !== void 0) return problem;
    }
    return void 0;
  }
  for (const key in value) {
    const problem = jsonProblem(value[key], maxDepth - 1, finiteNumbers);
    if (problem !== void 0) return problem;
  }
  return void 0;
}

// src/jws/compact.ts
var MAX_TOKEN_LENGTH = 16 * 1024;
function parseSegment(segment) {
  let value;
  try {
    value = JSON.parse(decodeText(segment));
  } catch (cause) {
    throw new TokenError("malformed_token", { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || jsonProblem(value) !== void 0) throw new TokenError("malformed_token");
  return value;
}
function splitCompact(token) {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) throw new TokenError("malformed_token");
  const first = token.indexOf(".");
  const second = first < 0 ? -1 : token.indexOf(".", first + 1);
  if (second < 0 || token.indexOf(".", second + 1) >= 0) throw new TokenError("malformed_token");
  return {
    header: token.slice(0, first),
    payload: token.slice(first + 1, second),
    signingInput: token.slice(0, second),
    signature: token.slice(second + 1)
  };
}
function decodeCompact(token) {
  const parts = splitCompact(token);
  return { header: parseSegment(parts.header), payload: parseSegment(parts.payload), signingInput: parts.signingInput, signature: parts.signature };
}

// src/keys/ring.ts
var KeyRing = class {
  /** The allow-list: exactly the algorithms of the ring's keys. */
  algorithms;
  keys;
  #findByKid;
  constructor(keys, { findByKid }) {
    this.keys = keys;
    this.algorithms = new Set(keys.map((key) => key.alg));
    this.#findByKid = findByKid;
  }
  /**
   * The key a header names: the one whose `kid` and `alg` both match, or, without a `kid`, the only
   * key of that `alg`. Undefined when there is none (or, without a `kid`, more than one).
   */
  select(header) {
    const { alg, kid } = header;
    if (this.#findByKid && kid !== void 0) return this.keys.find((key) => key.kid === kid && key.alg === alg);
    let found;
    for (const key of this.keys) {
      if (key.alg !== alg) continue;
      if (found !== void 0) return void 0;
      found = key;
    }
    return found;
  }
};
var MAX_HEADERS = 64;
var KeySelector = class {
  access;
  /** Absent in a verifier that holds no refresh key: refresh tokens are then the wrong type. */
  refresh;
  #verdicts = /* @__PURE__ */ new Map();
  constructor(access, refresh2) {
    this.access = access;
    this.refresh = refresh2;
  }
  /**
   * Parses and judges a header segment: algorithm allow-list of the ring its kind uses (`none`
   * is in none), then `crit` (we implement no extension: RFC 7515 §4.1.11), then key selection.
   * A header that is not a JSON object throws (shape comes first) and is not remembered; a
   * repeated header costs one Map lookup.
   */
  judge(segment) {
    const known = this.#verdicts.get(segment);
    if (known !== void 0) return known;
    const verdict = this.#decide(parseSegment(segment));
    if (this.#verdicts.size >= MAX_HEADERS) this.#verdicts.clear();
    this.#verdicts.set(segment, verdict);
    return verdict;
  }
  #decide(header) {
    const kind = claimedKind(header);
    const ring = kind === "refresh" ? this.refresh : this.access;
    if (ring === void 0) return { error: "wrong_token_type" };
    if (typeof header.alg !== "string" || !ring.algorithms.has(header.alg)) return { error: "unsupported_algorithm" };
    if (header.crit !== void 0) return { error: "malformed_token" };
    const key = ring.select(header);
    return key === void 0 ? { error: "unknown_key" } : { kind, key };
  }
};

// src/keys/secret.ts
var MIN_SECRET_BYTES = 32;
function parseSecret(value, name) {
  let material;
  if (value instanceof Uint8Array) {
    material = { bytes: value };
  } else if (value.trimStart().startsWith("{")) {
    material = parseJwk(value, name);
  } else {
    material = { bytes: utf8(value) };
  }
  if (material.bytes.length < MIN_SECRET_BYTES) {
    throw new ConfigError(
      `${name} is too short: ${material.bytes.length} bytes, HS256 needs at least ${MIN_SECRET_BYTES} (RFC 7518 \xA73.2)`
    );
  }
  return material;
}
function parseJwk(value, name) {
  let jwk;
  try {
    jwk = JSON.parse(value);
  } catch (cause) {
    throw new ConfigError(`${name} starts with "{" but is not valid JSON: expected a JWK {"kty":"oct","k":"..."}`, { cause });
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    throw new ConfigError(`${name} is not a JWK object`);
  }
  const { kty, k, kid, alg } = jwk;
  if (kty !== "oct") throw new ConfigError(`${name}: a JWK must have "kty":"oct" for HS256`);
  if (alg !== void 0 && alg !== "HS256") throw new ConfigError(`${name}: the JWK's "alg" must be HS256 when present`);
  if (typeof k !== "string") throw new ConfigError(`${name}: the JWK needs "k", the key in base64url`);
  if (kid !== void 0 && (typeof kid !== "string" || kid === "")) {
    throw new ConfigError(`${name}: the JWK's "kid" must be a non-empty string`);
  }
  let bytes;
  try {
    bytes = decode(k);
  } catch (cause) {
    throw new ConfigError(`${name}: the JWK's "k" is not strict base64url`, { cause });
  }
  return kid === void 0 ? { bytes } : { bytes, kid };
}
async function deriveRefreshSecret(access) {
  const ikm = await crypto.subtle.importKey("raw", access.bytes, "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: utf8("hallpass"), info: utf8("hallpass refresh-token key v1") },
    ikm,
    256
  );
  return { bytes: new Uint8Array(bits) };
}
function randomSecret() {
  return { bytes: crypto.getRandomValues(new Uint8Array(MIN_SECRET_BYTES)) };
}
function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

// src/protocol/handler.ts
var ERROR_CODES = {
  unknownType: 10,
  malformedRequest: 12,
  internal: 13,
  unauthorized: 1001
};
function field(body, name) {
  const value = body[name];
  if (typeof value !== "string") throw new RequestError(`${name} must be a string`);
  return value;
}
var OPERATIONS = {
  generate_access_token: {
    run: (hp, body) => hp.issue(body.payload),
    reply: (tokens) => ({ type: "token_generated", ...tokens })
  },
  verify_token: {
    run: (hp, body) => hp.verify(field(body, "token")),
    reply: (payload) => ({ type: "token_valid", payload })
  },
  refresh_token: {
    run: (hp, body) => hp.refresh(field(body, "refresh_token")),
    reply: (tokens) => ({ type: "token_refreshed", ...tokens })
  },
  revoke_token: {
    run: (hp, body) => hp.revoke(field(body, "token")),
    reply: ({ kind }) => ({ type: "token_revoked", token_kind: kind })
  },
  inspect_token: {
    run: (hp, body) => hp.inspect(field(body, "token")),
    reply: (inspection) => ({ type: "token_inspected", ...inspection })
  }
};
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function withReplyTo(msgId, reply) {
  return msgId === void 0 ? reply : { type: reply.type, in_reply_to: msgId, ...reply };
}
function errorBody(code, text) {
  return { type: "error", code, text };
}
function isUsableMsgId(value) {
  return typeof value === "string" || typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER;
}
var MessageHandler = class {
  #hp;
  #options;
  #nodeId;
  constructor(hp, options = {}) {
    this.#hp = hp;
    this.#options = options;
  }
  /**
   * The reply to one parsed JSON value: an envelope for an envelope, a bare body for a bare body.
   * `null` when the value is not a JSON object at all (the transport reports that itself).
   * Every error reply carries the request's `in_reply_to` and, in an envelope, its `dest`, except
   * where the `msg_id` (or `src`) itself is unusable. One async step per message: this function
   * awaits the operation's own promise and nothing else.
   */
  async handle(message) {
    if (!isObject(message)) return null;
    const enveloped = "body" in message;
    const body = enveloped ? message.body : message;
    const msgId = isObject(body) ? body.msg_id : void 0;
    if (msgId !== void 0 && !isUsableMsgId(msgId)) {
      return this.#address(message, errorBody(ERROR_CODES.malformedRequest, "msg_id must be a string or a number within \xB1(2^53 \u2212 1)"));
    }
    const answer = this.#check(message, enveloped, body) ?? this.#answer(body);
    return this.#address(message, withReplyTo(msgId, answer instanceof Promise ? await answer : answer));
  }
  /**
   * The reply as JSON text, for a transport to write: never throws, and never leaves a message
   * with a `msg_id` unanswered. A reply that cannot be serialized (a bug: every input is bounded
   * before it gets here) becomes an error 13 reply addressed like the request.
   */
  async respond(message) {
    let reply;
    try {
      reply = await this.handle(message);
    } catch (error) {
      reply = this.#internal(message, error);
    }
    if (reply === null) return null;
    try {
      return { text: JSON.stringify(reply), reply };
    } catch (error) {
      const fallback = this.#internal(message, error);
      return { text: JSON.stringify(fallback), reply: fallback };
    }
  }
  #internal(message, error) {
    this.#options.onInternalError?.(error);
    const reply = errorBody(ERROR_CODES.internal, "Internal error");
    if (!isObject(message)) return reply;
    const body = "body" in message ? message.body : message;
    const msgId = isObject(body) ? body.msg_id : void 0;
    return this.#address(message, withReplyTo(isUsableMsgId(msgId) ? msgId : void 0, reply));
  }
  /** The reply body in the request's shape: bare, or an envelope back to the sender (a string `src` only). */
  #address(message, reply) {
    if (!("body" in message)) return reply;
    const { src, dest } = message;
    return { src: typeof dest === "string" ? dest : this.#nodeId, dest: typeof src === "string" ? src : void 0, body: reply };
  }
  /** The envelope's and the whole message's faults, as an error body; undefined when there is none. */
  #check(message, enveloped, body) {
    if (enveloped) {
      const { src, dest } = message;
      if (src !== void 0 && typeof src !== "string" || dest !== void 0 && typeof dest !== "string") {
        return errorBody(ERROR_CODES.malformedRequest, "src and dest must be strings");
      }
      if (!isObject(body)) return errorBody(ERROR_CODES.malformedRequest, "body must be a JSON object");
    }
    if (jsonProblem(message, MAX_JSON_DEPTH) !== void 0) {
      return errorBody(ERROR_CODES.malformedRequest, `message nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    return void 0;
  }
  /** The reply body (no in_reply_to yet); a promise only when an operation is under way. */
  #answer(body) {
    const { type } = body;
    if (typeof type !== "string") return errorBody(ERROR_CODES.malformedRequest, "type must be a string");
    if (type === "init") return this.#init(body);
    const operation = Object.hasOwn(OPERATIONS, type) ? OPERATIONS[type] : void 0;
    if (operation === void 0) return errorBody(ERROR_CODES.unknownType, "Unknown message type");
    if (this.#options.authorize !== void 0 && !this.#options.authorize(type)) {
      return errorBody(ERROR_CODES.unauthorized, "Unauthorized: this message needs the issuer credential");
    }
    let result;
    try {
      result = operation.run(this.#hp, body);
    } catch (error) {
      return this.#failure(error);
    }
    if (!(result instanceof Promise)) return operation.reply(result);
    return result.then(operation.reply, (error) => this.#failure(error));
  }
  /** A thrown error as a reply: token_invalid, a request error (12) or an internal failure (13). */
  #failure(error) {
    if (error instanceof TokenError) return { type: "token_invalid", error: error.message, code: error.code };
    if (error instanceof RequestError) return errorBody(ERROR_CODES.malformedRequest, error.message);
    this.#options.onInternalError?.(error);
    return errorBody(ERROR_CODES.internal, error instanceof HallpassError ? error.message : "Internal error");
  }
  #init(body) {
    if (typeof body.node_id !== "string" || body.node_id === "") return errorBody(ERROR_CODES.malformedRequest, "node_id must be a non-empty string");
    this.#nodeId = body.node_id;
    return { type: "init_ok" };
  }
};

// src/protocol/settings.ts
var SETTINGS = {
  secret: {
    env: "HALLPASS_SECRET",
    kind: "secret",
    where: "both",
    meaning: 'HS256 key for access tokens: a string (its UTF-8 bytes) or a JSON JWK {"kty":"oct","k":...}; at least 32 bytes',
    fallback: "random per process, with a warning (the worker requires it)"
  },
  refreshSecret: {
    env: "HALLPASS_REFRESH_SECRET",
    kind: "secret",
    where: "both",
    meaning: "key for refresh tokens, same forms; must differ from HALLPASS_SECRET",
    fallback: "derived from HALLPASS_SECRET (HKDF)"
  },
  accessTtl: { env: "HALLPASS_ACCESS_TTL", kind: "seconds", where: "both", meaning: "access-token lifetime, seconds", fallback: "900", default: 900, min: 1 },
  refreshTtl: { env: "HALLPASS_REFRESH_TTL", kind: "seconds", where: "both", meaning: "refresh-token lifetime, seconds", fallback: "604800 (7 days)", default: 604800, min: 1 },
  issuer: { env: "HALLPASS_ISSUER", kind: "text", where: "both", meaning: "put in issued tokens as iss and required on verify", fallback: "unset" },
  audience: { env: "HALLPASS_AUDIENCE", kind: "text", where: "both", meaning: "put in issued tokens as aud and required on verify", fallback: "unset" },
  clockTolerance: { env: "HALLPASS_CLOCK_TOLERANCE", kind: "seconds", where: "both", meaning: "leeway for exp/nbf, seconds", fallback: "0", default: 0, min: 0 },
  reuseInterval: {
    env: "HALLPASS_REUSE_INTERVAL",
    kind: "seconds",
    where: "both",
    default: 0,
    min: 0,
    meaning: "seconds after a refresh in which the token just spent may be presented again (racing tabs) and gets the same successor; older tokens still revoke the family",
    fallback: "0 (never)"
  },
  verifyCache: {
    env: "HALLPASS_VERIFY_CACHE",
    kind: "count",
    where: "both",
    default: 0,
    min: 0,
    meaning: "verified access tokens to cache (LRU, whole-token keys; expiry and revocation checked on every hit); 0 turns it off",
    fallback: "0"
  },
  maxLineBytes: {
    env: "HALLPASS_MAX_LINE_BYTES",
    kind: "bytes",
    where: "node",
    default: 1024 * 1024,
    min: 1,
    meaning: "longest input line, bytes; longer lines are discarded",
    fallback: "1048576 (1 MiB)"
  },
  issuerKey: {
    env: "HALLPASS_ISSUER_KEY",
    kind: "secret",
    where: "worker",
    meaning: "Bearer credential for generate_access_token over HTTP; at least 32 bytes, unlike the keys",
    fallback: "unset: issuing over HTTP is refused"
  }
};
var UNITS = { secret: "", text: "", seconds: "seconds", count: "entries", bytes: "bytes" };
function isNumeric(setting) {
  return setting.kind === "seconds" || setting.kind === "count" || setting.kind === "bytes";
}
function checkedNumber(name, value) {
  const setting = SETTINGS[name];
  if (value === void 0) return setting.default;
  const min = setting.min ?? 0;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`${setting.env} must be a whole number of ${UNITS[setting.kind]}${min > 0 ? ` above ${min - 1}` : ""}`);
  }
  return value;
}
function checkedText(name, value) {
  if (value !== void 0 && (typeof value !== "string" || value === "")) throw new ConfigError(`${SETTINGS[name].env} must be a non-empty string`);
  return value;
}
function describeSettings(where) {
  return Object.values(SETTINGS).filter((setting) => setting.where === "both" || setting.where === where).map((setting) => `  ${setting.env.padEnd(26)}${setting.meaning}
  ${"".padEnd(26)}default: ${setting.fallback}`).join("\n");
}

// src/store/rotation.ts
function applyRotation(family, { generation, next, now, reuseInterval }) {
  if (generation < family.generation) {
    const predecessor = generation === family.generation - 1;
    if (predecessor && !family.revoked && reuseInterval > 0 && now - family.rotatedAt <= reuseInterval) {
      return { status: "grace", claims: family.claims, current: family.current };
    }
    family.revoked = true;
    return { status: "reused" };
  }
  if (family.revoked || generation !== family.generation) return { status: "revoked" };
  family.generation = generation + 1;
  family.current = next;
  family.rotatedAt = now;
  return { status: "rotated", claims: family.claims };
}

// src/store/memory.ts
var SWEEP_INTERVAL = 60;
var MemoryStore = class {
  #families = /* @__PURE__ */ new Map();
  #revokedTokens = /* @__PURE__ */ new Map();
  #nextSweep = 0;
  createFamily(id, record, now) {
    this.#sweep(now);
    this.#families.set(id, { ...record, current: { ...record.current } });
  }
  rotateFamily(id, request) {
    this.#sweep(request.now);
    const family = this.#live(id, request.now);
    return family === void 0 ? { status: "unknown" } : applyRotation(family, request);
  }
  revokeFamily(id, now) {
    const family = this.#live(id, now);
    if (family === void 0) return false;
    family.revoked = true;
    return true;
  }
  revokeToken(jti, expiresAt, now) {
    this.#sweep(now);
    this.#revokedTokens.set(jti, expiresAt);
  }
  isTokenRevoked(jti, now) {
    if (this.#revokedTokens.size === 0) return false;
    const until = this.#revokedTokens.get(jti);
    return until !== void 0 && until > now;
  }
  /** Entries currently held, for tests and metrics. */
  get size() {
    return { families: this.#families.size, revokedTokens: this.#revokedTokens.size };
  }
  #live(id, now) {
    const family = this.#families.get(id);
    if (family === void 0 || family.current.exp <= now) return void 0;
    return family;
  }
  #sweep(now) {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + SWEEP_INTERVAL;
    for (const [id, family] of this.#families) if (family.current.exp <= now) this.#families.delete(id);
    for (const [jti, until] of this.#revokedTokens) if (until <= now) this.#revokedTokens.delete(jti);
  }
};

// src/tokens/cache.ts
var VerifiedCache = class {
  #max;
  #entries = /* @__PURE__ */ new Map();
  constructor(max) {
    this.#max = max;
  }
  get(token) {
    const payload = this.#entries.get(token);
    if (payload !== void 0) {
      this.#entries.delete(token);
      this.#entries.set(token, payload);
    }
    return payload;
  }
  set(token, payload) {
    this.#entries.set(token, payload);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value);
  }
  delete(token) {
    this.#entries.delete(token);
  }
  get size() {
    return this.#entries.size;
  }
};
function deepFreeze(value) {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

// src/tokens/inspect.ts
function inspect(token) {
  const { header, payload } = decodeCompact(token);
  return { header, payload, verified: false };
}

// src/lib/random.ts
var ID_BYTES = 16;
var pool = new Uint8Array(ID_BYTES * 256);
var poolOffset = pool.length;
function randomId() {
  if (poolOffset === pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const id = encode(pool.subarray(poolOffset, poolOffset + ID_BYTES));
  pool.fill(0, poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return id;
}

// src/tokens/issue.ts
var NODE_CLAIMS = ["iat", "exp", "nbf", "jti"];
function callerClaims(claims, ctx) {
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    throw new RequestError("payload must be a JSON object of claims");
  }
  const { sub } = claims;
  if (typeof sub !== "string" || sub === "") throw new RequestError("payload.sub must be a non-empty string");
  const caller = { ...claims };
  for (const name of NODE_CLAIMS) delete caller[name];
  if (ctx.issuer !== void 0) delete caller.iss;
  if (ctx.audience !== void 0) delete caller.aud;
  checkEncodable(caller);
  return caller;
}
var REFRESH_HEADROOM = 1024;
var MAX_ISSUED_TOKEN_LENGTH = MAX_TOKEN_LENGTH - REFRESH_HEADROOM;
function checkEncodable(caller) {
  const problem = jsonProblem(caller, MAX_JSON_DEPTH, true);
  if (problem === "too_deep") throw new RequestError(`payload is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (problem === "not_finite") throw new RequestError("payload holds a number JSON cannot carry (beyond the range of a double)");
  let json;
  try {
    json = JSON.stringify(caller);
  } catch (cause) {
    throw new RequestError("payload cannot be encoded as JSON", { cause });
  }
  if (Math.ceil(json.length * 4 / 3) > MAX_ISSUED_TOKEN_LENGTH) throw tooLarge(MAX_ISSUED_TOKEN_LENGTH);
}
function tooLarge(limit) {
  return new RequestError(`payload too large: a token would exceed ${limit} characters`);
}
async function issue(ctx, claims) {
  const caller = callerClaims(claims, ctx);
  const family = randomId();
  const now = ctx.now();
  const current = nextRefreshToken(ctx, now);
  const tokens = await mint(ctx, caller, family, 0, current, now, MAX_ISSUED_TOKEN_LENGTH);
  await ctx.store.createFamily(family, { claims: caller, generation: 0, revoked: false, current, rotatedAt: now }, now);
  return tokens;
}
function nextRefreshToken(ctx, now) {
  return { jti: randomId(), iat: now, exp: now + ctx.refreshTtl };
}
async function mint(ctx, caller, family, generation, refresh2, now, limit = MAX_TOKEN_LENGTH) {
  const registered = {};
  if (ctx.issuer !== void 0) registered.iss = ctx.issuer;
  if (ctx.audience !== void 0) registered.aud = ctx.audience;
  const access = { ...caller, ...registered, iat: now, exp: now + ctx.accessTtl, jti: randomId() };
  const refreshClaims = { sub: caller.sub, ...registered, fam: family, gen: generation, iat: refresh2.iat, exp: refresh2.exp, jti: refresh2.jti };
  const [accessToken, refreshToken] = await Promise.all([
    sign(ctx.access.header, access, ctx.access.signer),
    sign(ctx.refresh.header, refreshClaims, ctx.refresh.signer)
  ]);
  if (accessToken.length > limit || refreshToken.length > limit) throw tooLarge(limit);
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: ctx.accessTtl,
    refresh_token: refreshToken,
    refresh_expires_in: refresh2.exp - now
  };
}

// src/jwt/claims.ts
function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}
function checkClaims(payload, rules) {
  const { exp, nbf, iat } = payload;
  if (!isNumber(exp)) throw new TokenError("invalid_claims");
  if (nbf !== void 0 && !isNumber(nbf) || iat !== void 0 && !isNumber(iat)) {
    throw new TokenError("invalid_claims");
  }
  const now = rules.now();
  if (exp <= now - rules.clockTolerance) throw new TokenError("token_expired");
  if (nbf !== void 0 && nbf > now + rules.clockTolerance) throw new TokenError("token_not_yet_valid");
  if (rules.issuer !== void 0 && payload.iss !== rules.issuer) throw new TokenError("invalid_claims");
  if (rules.audience !== void 0 && !hasAudience(payload.aud, rules.audience)) throw new TokenError("invalid_claims");
}
function hasAudience(aud, audience) {
  return aud === audience || Array.isArray(aud) && aud.includes(audience);
}

// src/tokens/verify.ts
function verifyToken(ctx, token, expected) {
  const parts = splitCompact(token);
  const verdict = ctx.keys.judge(parts.header);
  const payload = parseSegment(parts.payload);
  if (verdict.error !== void 0) throw new TokenError(verdict.error);
  const { kind } = verdict;
  const good = verdict.key.verify(parts.signingInput, parts.signature);
  if (typeof good === "boolean") return afterSignature(ctx, good, kind, expected, payload);
  return good.then((ok) => afterSignature(ctx, ok, kind, expected, payload));
}
function afterSignature(ctx, good, kind, expected, payload) {
  if (!good) throw new TokenError("invalid_signature");
  if (kind === "other" || expected !== "any" && kind !== expected) throw new TokenError("wrong_token_type");
  checkClaims(payload, ctx);
  return { kind, payload };
}
async function verifyAccess(ctx, token) {
  const { cache } = ctx;
  let payload = cache !== void 0 && typeof token === "string" ? cache.get(token) : void 0;
  if (payload !== void 0) {
    if (payload.exp <= ctx.now() - ctx.clockTolerance) {
      cache.delete(token);
      throw new TokenError("token_expired");
    }
  } else {
    const verified = verifyToken(ctx, token, "access");
    payload = ("then" in verified ? await verified : verified).payload;
    if (cache !== void 0) cache.set(token, deepFreeze(payload));
  }
  if (typeof payload.jti === "string") {
    const revoked = ctx.store.isTokenRevoked(payload.jti, ctx.now());
    if (revoked === true || revoked !== false && await revoked) throw new TokenError("token_revoked");
  }
  return payload;
}

// src/tokens/refresh.ts
function familyOf(payload) {
  const { fam, gen } = payload;
  if (typeof fam !== "string" || !Number.isSafeInteger(gen) || gen < 0) throw new TokenError("invalid_claims");
  return { family: fam, generation: gen };
}
async function refresh(ctx, token) {
  const { payload } = await verifyToken(ctx, token, "refresh");
  const { family, generation } = familyOf(payload);
  const now = ctx.now();
  const next = nextRefreshToken(ctx, now);
  const result = await ctx.store.rotateFamily(family, { generation, next, now, reuseInterval: ctx.reuseInterval });
  switch (result.status) {
    case "rotated":
      return mint(ctx, result.claims, family, generation + 1, next, now);
    case "grace":
      return mint(ctx, result.claims, family, generation + 1, result.current, now);
    case "reused":
      throw new TokenError("refresh_token_reused");
    default:
      throw new TokenError("token_revoked");
  }
}

// src/tokens/revoke.ts
async function revoke(ctx, token) {
  const { kind, payload } = await verifyToken(ctx, token, "any");
  const now = ctx.now();
  if (kind === "refresh") {
    await ctx.store.revokeFamily(familyOf(payload).family, now);
  } else {
    if (typeof payload.jti !== "string") throw new TokenError("invalid_claims");
    await ctx.store.revokeToken(payload.jti, payload.exp + ctx.clockTolerance, now);
  }
  return { kind };
}

// src/hallpass.ts
var DEFAULTS = { accessTtl: checkedNumber("accessTtl", void 0), refreshTtl: checkedNumber("refreshTtl", void 0), clockTolerance: checkedNumber("clockTolerance", void 0) };
async function resolveSecrets(options, warn) {
  let access;
  if (options.secret === void 0) {
    access = randomSecret();
    warn("HALLPASS_SECRET is not set: using a random secret for this process. Its tokens stop verifying when it exits, and no other service can verify them.");
  } else {
    access = parseSecret(options.secret, "HALLPASS_SECRET");
  }
  if (options.refreshSecret === void 0) return [access, await deriveRefreshSecret(access)];
  const refreshMaterial = parseSecret(options.refreshSecret, "HALLPASS_REFRESH_SECRET");
  if (sameBytes(access.bytes, refreshMaterial.bytes)) {
    throw new ConfigError("HALLPASS_REFRESH_SECRET must differ from HALLPASS_SECRET: a refresh token must never verify as an access token");
  }
  return [access, refreshMaterial];
}
function signingKey(key, typ) {
  const header = { alg: key.alg, typ };
  if (key.kid !== void 0) header.kid = key.kid;
  return { header: encodeHeader(header), signer: key.signer };
}
async function createHallpass(options = {}) {
  const accessTtl = checkedNumber("accessTtl", options.accessTtl);
  const refreshTtl = checkedNumber("refreshTtl", options.refreshTtl);
  const clockTolerance = checkedNumber("clockTolerance", options.clockTolerance);
  const reuseInterval = checkedNumber("reuseInterval", options.reuseInterval);
  const verifyCache = checkedNumber("verifyCache", options.verifyCache);
  const issuer = checkedText("issuer", options.issuer);
  const audience = checkedText("audience", options.audience);
  const warn = options.onWarning ?? ((message) => console.warn(message));
  const [accessMaterial, refreshMaterial] = await resolveSecrets(options, warn);
  const [accessKey, refreshKey] = await Promise.all([
    hmacRingKey(accessMaterial.bytes, accessMaterial.kid, options.hmac),
    hmacRingKey(refreshMaterial.bytes, refreshMaterial.kid, options.hmac)
  ]);
  const clock = options.clock ?? Date.now;
  const ctx = {
    // With one secret per kind, a header's kid is not used to find the key (PROTOCOL v1).
    keys: new KeySelector(new KeyRing([accessKey], { findByKid: false }), new KeyRing([refreshKey], { findByKid: false })),
    access: signingKey(accessKey, ACCESS_TYP),
    refresh: signingKey(refreshKey, REFRESH_TYP),
    accessTtl,
    refreshTtl,
    issuer,
    audience,
    clockTolerance,
    reuseInterval,
    store: options.store ?? new MemoryStore(),
    cache: verifyCache > 0 ? new VerifiedCache(verifyCache) : void 0,
    now: () => Math.floor(clock() / 1e3)
  };
  let defaultHandler;
  const hp = {
    issue: (claims) => issue(ctx, claims),
    verify: (token) => verifyAccess(ctx, token),
    refresh: (token) => refresh(ctx, token),
    revoke: (token) => revoke(ctx, token),
    inspect,
    handler: (handlerOptions) => new MessageHandler(hp, handlerOptions),
    handle: (message) => (defaultHandler ??= new MessageHandler(hp)).handle(message)
  };
  return hp;
}

// src/tokens/verifier.ts
async function createVerifier(options) {
  const material = parseSecret(options.secret, "secret");
  const clock = options.clock ?? Date.now;
  const ctx = {
    keys: new KeySelector(new KeyRing([await hmacRingKey(material.bytes, material.kid, options.hmac)], { findByKid: false }), void 0),
    issuer: checkedText("issuer", options.issuer),
    audience: checkedText("audience", options.audience),
    clockTolerance: checkedNumber("clockTolerance", options.clockTolerance),
    now: () => Math.floor(clock() / 1e3)
  };
  return {
    async verify(token) {
      const verified = verifyToken(ctx, token, "access");
      return ("then" in verified ? await verified : verified).payload;
    }
  };
}

// src/protocol/environment.ts
var CORE_SETTINGS = ["secret", "refreshSecret", "accessTtl", "refreshTtl", "issuer", "audience", "clockTolerance", "reuseInterval", "verifyCache"];
function readSetting(env, name) {
  const setting = SETTINGS[name];
  let value = env[setting.env];
  if (value === void 0 || value === null || value === "") return void 0;
  if (typeof value === "number" && isNumeric(setting)) value = String(value);
  if (typeof value !== "string") throw new ConfigError(`${setting.env} must be a string`);
  if (!isNumeric(setting)) return value;
  const unit = setting.kind === "count" ? "entries" : setting.kind;
  if (!/^\d{1,15}$/.test(value.trim())) throw new ConfigError(`${setting.env} must be a whole number of ${unit}, got ${JSON.stringify(value.slice(0, 32))}`);
  return Number(value.trim());
}
function optionsFromEnvironment(env) {
  const options = {};
  for (const name of CORE_SETTINGS) {
    const value = readSetting(env, name);
    if (value !== void 0) options[name] = value;
  }
  return options;
}
export {
  ACCESS_TYP,
  ConfigError,
  DEFAULTS,
  ERROR_CODES,
  HallpassError,
  MAX_JSON_DEPTH,
  MAX_TOKEN_LENGTH,
  MIN_SECRET_BYTES,
  MemoryStore,
  MessageHandler,
  REFRESH_TYP,
  RequestError,
  SETTINGS,
  TOKEN_ERRORS,
  TokenError,
  applyRotation,
  createHallpass,
  createVerifier,
  describeSettings,
  errorBody,
  inspect,
  isUsableMsgId,
  optionsFromEnvironment,
  readSetting,
  webCryptoHmac
};
