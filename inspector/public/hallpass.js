// The hallpass core (src/index.ts) bundled for the inspector by `npm run build`. Do not edit.

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
var TRUSTED_ACCESS_TYPS = /* @__PURE__ */ new Set([ACCESS_TYP_LOWER, "at+jwt", "application/at+jwt"]);
function isTrustedAccessTyp(header) {
  const { typ } = header;
  return typ === void 0 || typeof typ === "string" && TRUSTED_ACCESS_TYPS.has(typ.toLowerCase());
}

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
var VerifyOnlyError = class extends HallpassError {
  constructor() {
    super("ERR_HALLPASS_VERIFY_ONLY", "This node only verifies");
  }
};
var StoreError = class extends HallpassError {
  constructor(message, options) {
    super("ERR_HALLPASS_STORE", message, options);
  }
};
var StoreUnavailableError = class extends HallpassError {
  constructor(options) {
    super("ERR_HALLPASS_STORE_UNAVAILABLE", "Store unavailable", options);
  }
};
var JwksError = class extends HallpassError {
  constructor(message, options) {
    super("ERR_HALLPASS_JWKS", message, options);
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
var CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
var CODES_PER_CALL = 4096;
function encode(bytes) {
  const whole = bytes.length - bytes.length % 3;
  const codes = new Array(Math.ceil(bytes.length * 4 / 3));
  let o = 0;
  let i = 0;
  for (; i < whole; i += 3) {
    const n = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
    codes[o++] = CODES[n >> 18];
    codes[o++] = CODES[n >> 12 & 63];
    codes[o++] = CODES[n >> 6 & 63];
    codes[o++] = CODES[n & 63];
  }
  const rest = bytes.length - whole;
  if (rest === 1) {
    const n = bytes[i] << 16;
    codes[o++] = CODES[n >> 18];
    codes[o++] = CODES[n >> 12 & 63];
  } else if (rest === 2) {
    const n = bytes[i] << 16 | bytes[i + 1] << 8;
    codes[o++] = CODES[n >> 18];
    codes[o++] = CODES[n >> 12 & 63];
    codes[o++] = CODES[n >> 6 & 63];
  }
  if (codes.length <= CODES_PER_CALL) return String.fromCharCode.apply(null, codes);
  let out = "";
  for (let at = 0; at < codes.length; at += CODES_PER_CALL) out += String.fromCharCode.apply(null, codes.slice(at, at + CODES_PER_CALL));
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
var fromBase64 = Uint8Array.fromBase64;
var NATIVE_ABOVE = 512;
function decodeText(text) {
  if (fromBase64 !== void 0 && text.length > NATIVE_ABOVE) {
    let bytes2;
    try {
      bytes2 = fromBase64(text, { alphabet: "base64url", lastChunkHandling: "loose" });
    } catch {
      throw new TypeError("not base64url");
    }
    if (bytes2.toBase64({ alphabet: "base64url", omitPadding: true }) !== text) throw new TypeError("not canonical base64url");
    return utf8Decoder.decode(bytes2);
  }
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

// src/lib/maybe.ts
function isPending(value) {
  return typeof value?.then === "function";
}
function andThen(value, next) {
  return isPending(value) ? Promise.resolve(value).then(next) : next(value);
}
function promised(run) {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

// src/jws/sign.ts
function encodeHeader(header) {
  return encodeText(JSON.stringify(header));
}
function sign(encodedHeader, payload, signer, encode2 = encodeText) {
  const signingInput = `${encodedHeader}.${encode2(JSON.stringify(payload))}`;
  const signature = signer.sign(signingInput);
  return isPending(signature) ? signature.then((done) => `${signingInput}.${done}`) : `${signingInput}.${signature}`;
}

// src/keys/algorithms.ts
var ALGORITHMS = {
  HS256: { kty: "oct", hash: "SHA-256", minBytes: 32 },
  HS384: { kty: "oct", hash: "SHA-384", minBytes: 48 },
  HS512: { kty: "oct", hash: "SHA-512", minBytes: 64 },
  RS256: { kty: "RSA", hash: "SHA-256" },
  PS256: { kty: "RSA", hash: "SHA-256" },
  ES256: { kty: "EC", crv: "P-256", hash: "SHA-256", coordinateBytes: 32 },
  ES384: { kty: "EC", crv: "P-384", hash: "SHA-384", coordinateBytes: 48 },
  EdDSA: { kty: "OKP", crv: "Ed25519", coordinateBytes: 32 }
};
var MIN_RSA_BITS = 2048;
function algorithmNamed(name) {
  if (name === "Ed25519") return "EdDSA";
  return typeof name === "string" && Object.hasOwn(ALGORITHMS, name) ? name : void 0;
}
function isSymmetric(alg) {
  return ALGORITHMS[alg].kty === "oct";
}
function keyAlgorithms(jwk) {
  return Object.keys(ALGORITHMS).filter((alg) => {
    const spec = ALGORITHMS[alg];
    return spec.kty === jwk.kty && (!("crv" in spec) || spec.crv === jwk.crv);
  });
}

// src/keys/crypto.ts
function webCryptoParams(alg) {
  switch (alg) {
    case "HS256":
    case "HS384":
    case "HS512":
      return { importParams: { name: "HMAC", hash: ALGORITHMS[alg].hash }, signParams: "HMAC" };
    case "RS256":
      return { importParams: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, signParams: "RSASSA-PKCS1-v1_5" };
    case "PS256":
      return { importParams: { name: "RSA-PSS", hash: "SHA-256" }, signParams: { name: "RSA-PSS", saltLength: 32 } };
    case "ES256":
    case "ES384":
      return { importParams: { name: "ECDSA", namedCurve: ALGORITHMS[alg].crv }, signParams: { name: "ECDSA", hash: ALGORITHMS[alg].hash } };
    case "EdDSA":
      return { importParams: { name: "Ed25519" }, signParams: { name: "Ed25519" } };
  }
}
function signatureBytes(jwk, alg) {
  switch (alg) {
    case "HS256":
      return 32;
    case "HS384":
      return 48;
    case "HS512":
      return 64;
    case "RS256":
    case "PS256":
      return jwk.modulusBytes;
    case "ES256":
    case "ES384":
      return 2 * ALGORITHMS[alg].coordinateBytes;
    case "EdDSA":
      return 64;
  }
}
var webCrypto = {
  async importKey(jwk, alg) {
    const { importParams, signParams } = webCryptoParams(alg);
    const length = signatureBytes(jwk, alg);
    const symmetric = jwk.public.kty === "oct";
    const verifyKey = await crypto.subtle.importKey("jwk", symmetric ? jwk.private : jwk.public, importParams, false, ["verify"]);
    const signKey = jwk.private === void 0 ? void 0 : await crypto.subtle.importKey("jwk", jwk.private, importParams, false, ["sign"]);
    const ops = {
      // Not async: subtle.verify's own promise is handed on, not wrapped in another one.
      verify(input, signature) {
        let bytes;
        try {
          bytes = decode(signature);
        } catch {
          return false;
        }
        return bytes.length === length && crypto.subtle.verify(signParams, verifyKey, bytes, utf8(input));
      }
    };
    if (signKey !== void 0) ops.sign = async (input) => encode(new Uint8Array(await crypto.subtle.sign(signParams, signKey, utf8(input))));
    return ops;
  }
};

// src/keys/jwk.ts
var PRIVATE_MEMBERS = { RSA: ["d", "p", "q", "dp", "dq", "qi"], EC: ["d"], OKP: ["d"], oct: ["k"] };
var PUBLIC_MEMBERS = { RSA: ["n", "e"], EC: ["crv", "x", "y"], OKP: ["crv", "x"], oct: [] };
function label(raw, index) {
  return typeof raw.kid === "string" && raw.kid !== "" && raw.kid.length <= 100 ? `key ${JSON.stringify(raw.kid)}` : `key #${index + 1}`;
}
function bytesOf(raw, member, fail) {
  const value = raw[member];
  if (typeof value !== "string") fail(`"${member}" is missing or not a string`);
  try {
    return decode(value);
  } catch {
    return fail(`"${member}" is not strict base64url`);
  }
}
function checkJwk(value, index, setting, defaultAlg) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError(`${setting}: key #${index + 1} is not a JSON object`);
  const raw = value;
  const name = label(raw, index);
  const fail = (problem) => {
    throw new ConfigError(`${setting}: ${name}: ${problem}`);
  };
  const alg = raw.alg === void 0 ? defaultAlg : algorithmNamed(raw.alg);
  if (alg === void 0) fail(raw.alg === void 0 ? '"alg" is required (one of ' + Object.keys(ALGORITHMS).join(", ") + ")" : `"alg" ${JSON.stringify(String(raw.alg).slice(0, 20))} is not one of ${Object.keys(ALGORITHMS).join(", ")}`);
  const spec = ALGORITHMS[alg];
  if (raw.kty !== spec.kty) fail(`${alg} needs "kty":"${spec.kty}"`);
  if (raw.kid !== void 0 && (typeof raw.kid !== "string" || raw.kid === "")) fail('"kid" must be a non-empty string');
  if (raw.use !== void 0 && raw.use !== "sig") fail('"use" must be "sig" when present');
  if ("crv" in spec && raw.crv !== spec.crv) fail(`${alg} needs "crv":"${spec.crv}"`);
  const kty = spec.kty;
  const checked = { alg, kid: raw.kid, public: { kty }, private: void 0 };
  for (const member of PUBLIC_MEMBERS[kty]) checked.public[member] = raw[member];
  if (kty === "oct") {
    const secret = bytesOf(raw, "k", fail);
    if (secret.length < spec.minBytes) fail(`too short for ${alg}: ${secret.length} bytes, at least ${spec.minBytes} (RFC 7518 \xA73.2)`);
    checked.secret = secret;
    checked.private = { kty, k: raw.k };
    return checked;
  }
  if (kty === "RSA") {
    const modulus = bytesOf(raw, "n", fail);
    const bits = bitLength(modulus);
    if (bits < MIN_RSA_BITS) fail(`the RSA modulus has ${bits} bits, at least ${MIN_RSA_BITS} are needed`);
    if (!isStrongExponent(bytesOf(raw, "e", fail))) fail('the RSA public exponent "e" must be odd, at least 65537 and below 2^256 (NIST SP 800-56B)');
    checked.modulusBytes = Math.ceil(bits / 8);
  } else {
    const size = spec.coordinateBytes;
    for (const member of kty === "EC" ? ["x", "y"] : ["x"]) if (bytesOf(raw, member, fail).length !== size) fail(`"${member}" must be ${size} bytes for ${spec.crv}`);
    if (raw.d !== void 0 && bytesOf(raw, "d", fail).length !== size) fail(`"d" must be ${size} bytes for ${spec.crv}`);
    if (kty === "OKP") {
      const problem = ed25519PointProblem(bytesOf(raw, "x", fail));
      if (problem !== void 0) fail(problem);
    }
  }
  const privates = PRIVATE_MEMBERS[kty].filter((member) => raw[member] !== void 0);
  if (privates.length > 0) {
    if (privates.length !== PRIVATE_MEMBERS[kty].length) fail(`a private ${kty} key needs all of ${PRIVATE_MEMBERS[kty].join(", ")}`);
    for (const member of privates) bytesOf(raw, member, fail);
    if (raw.oth !== void 0) fail('multi-prime RSA keys ("oth") are not supported');
    checked.private = { ...checked.public };
    for (const member of privates) checked.private[member] = raw[member];
  }
  return checked;
}
function isStrongExponent(bytes) {
  const bits = bitLength(bytes);
  return bits >= 17 && bits <= 256 && (bytes[bytes.length - 1] & 1) === 1;
}
var hexBytes = (text) => Uint8Array.from(text.match(/../g), (byte) => parseInt(byte, 16));
var ED25519_SMALL_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
].map(hexBytes);
function ed25519PointProblem(x) {
  const masked = (i) => i === 31 ? x[i] & 127 : x[i];
  if (ED25519_SMALL_ORDER.some((point) => point.every((byte, i) => byte === masked(i)))) return '"x" is a small-order Ed25519 point, under which anyone can sign';
  let top = masked(31) === 127;
  for (let i = 30; top && i >= 1; i--) top = x[i] === 255;
  if (top && x[0] >= 237) return '"x" is not a canonical Ed25519 point (y is not below 2^255 - 19)';
  return void 0;
}
function bitLength(bytes) {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}
async function thumbprint(jwk) {
  const members = [...PUBLIC_MEMBERS[jwk.kty], "kty"].sort();
  const canonical = `{${members.map((member) => `${JSON.stringify(member)}:${JSON.stringify(jwk[member])}`).join(",")}}`;
  return encode(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(canonical))));
}
function keysOf(value, setting) {
  let set = value;
  if (typeof value === "string") {
    try {
      set = JSON.parse(value);
    } catch {
      throw new ConfigError(`${setting} is not valid JSON: expected a JWK Set {"keys":[...]}`);
    }
  }
  if (typeof set !== "object" || set === null || !Array.isArray(set.keys)) throw new ConfigError(`${setting} must be a JWK Set: {"keys":[...]}`);
  const keys = set.keys;
  if (keys.length === 0) throw new ConfigError(`${setting} holds no key`);
  return keys;
}
async function checkKeySet(value, setting, defaultAlg) {
  const keys = keysOf(value, setting).map((key, index) => checkJwk(key, index, setting, defaultAlg));
  const seen = /* @__PURE__ */ new Set();
  for (const [index, key] of keys.entries()) {
    if (key.kid === void 0) {
      if (key.public.kty === "oct") throw new ConfigError(`${setting}: key #${index + 1}: an "oct" key needs a "kid"`);
      key.kid = await thumbprint(key.public);
    }
    if (seen.has(key.kid)) throw new ConfigError(`${setting}: key "${key.kid.slice(0, 100)}": the kid is used twice`);
    seen.add(key.kid);
  }
  return keys;
}
function publicJwk(key) {
  return { ...key.public, kid: key.kid, alg: key.alg, use: "sig" };
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
function parseSegment(segment, decode2 = decodeText) {
  let value;
  try {
    value = JSON.parse(decode2(segment));
  } catch (cause) {
    throw new TokenError("malformed_token", { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || jsonProblem(value) !== void 0) throw new TokenError("malformed_token");
  return value;
}
var NOT_BASE64URL = /[^A-Za-z0-9_-]/;
function splitCompact(token) {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) throw new TokenError("malformed_token");
  const first = token.indexOf(".");
  const second = first < 0 ? -1 : token.indexOf(".", first + 1);
  if (second < 0 || token.indexOf(".", second + 1) >= 0) throw new TokenError("malformed_token");
  const signature = token.slice(second + 1);
  if (NOT_BASE64URL.test(signature)) throw new TokenError("malformed_token");
  return {
    header: token.slice(0, first),
    payload: token.slice(first + 1, second),
    signingInput: token.slice(0, second),
    signature
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
    const alg = algorithmNamed(header.alg);
    const { kid } = header;
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
  /** The header judged last and its verdict: the next token's header is nearly always the same. */
  #lastSegment;
  #lastVerdict;
  constructor(access, refresh2) {
    this.access = access;
    this.refresh = refresh2;
  }
  /**
   * Parses and judges a header segment: algorithm allow-list of the ring its kind uses (`none`
   * is in none), then `crit` (we implement no extension: RFC 7515 §4.1.11), then key selection.
   * A header that is not a JSON object throws (shape comes first) and is not remembered; the
   * header of the last token costs one string comparison, another one seen before a Map lookup.
   * (Each token's header is a new string whose hash the Map must compute first: comparing with
   * the last one instead was 0.13 µs less a verify on the stdin node, 2.6 % of its work, measured.)
   */
  judge(segment) {
    if (segment === this.#lastSegment) return this.#lastVerdict;
    let verdict = this.#verdicts.get(segment);
    if (verdict === void 0) {
      verdict = this.#decide(parseSegment(segment));
      if (this.#verdicts.size >= MAX_HEADERS) this.#verdicts.clear();
      this.#verdicts.set(segment, verdict);
    }
    this.#lastSegment = segment;
    this.#lastVerdict = verdict;
    return verdict;
  }
  #decide(header) {
    const kind = claimedKind(header);
    const ring = kind === "refresh" ? this.refresh : this.access;
    if (ring === void 0) return { error: "wrong_token_type" };
    const alg = algorithmNamed(header.alg);
    if (alg === void 0 || !ring.algorithms.has(alg)) return { error: "unsupported_algorithm" };
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

// src/keys/resolve.ts
function secretJwk(material, alg = "HS256") {
  return { alg, kid: material.kid, public: { kty: "oct" }, private: { kty: "oct", k: encode(material.bytes) }, secret: material.bytes };
}
async function ringKey(jwk, provider = webCrypto) {
  const ops = await provider.importKey(jwk, jwk.alg);
  const key = { alg: jwk.alg, verify: (input, signature) => ops.verify(input, signature) };
  if (jwk.kid !== void 0) key.kid = jwk.kid;
  if (ops.sign !== void 0) key.signer = { sign: ops.sign };
  return key;
}
function signingKey(key, typ) {
  const header = { alg: key.alg, typ };
  if (key.kid !== void 0) header.kid = key.kid;
  return { header: encodeHeader(header), sign: key.signer.sign };
}
async function importAll(jwks, provider, setting) {
  return Promise.all(
    jwks.map(
      (jwk) => ringKey(jwk, provider).catch((cause) => {
        throw new ConfigError(`${setting}: key "${jwk.kid ?? "?"}" cannot be imported as ${jwk.alg}: it is not a valid key`, { cause });
      })
    )
  );
}
async function refreshKeys(value) {
  const name = "HALLPASS_REFRESH_SECRET";
  if (typeof value === "string" && /^\s*\{[\s\S]*"keys"\s*:/.test(value)) {
    const jwks = await checkKeySet(value, name, "HS256");
    for (const jwk of jwks) if (jwk.alg !== "HS256") throw new ConfigError(`${name}: key "${jwk.kid}": refresh tokens are HS256 only`);
    return { jwks, findByKid: true };
  }
  return { jwks: [secretJwk(parseSecret(value, name))], findByKid: false };
}
async function resolveKeys(options, accessTyp, refreshTyp) {
  if (options.keys !== void 0 && options.keys !== "") {
    if (options.secret !== void 0) throw new ConfigError("HALLPASS_SECRET and HALLPASS_KEYS are two forms of one setting: set only one");
    return resolveKeyRing(options, accessTyp, refreshTyp);
  }
  if (options.signingKid !== void 0) throw new ConfigError("HALLPASS_SIGNING_KID names a key of HALLPASS_KEYS, which is not set");
  let access;
  if (options.secret === void 0) {
    access = randomSecret();
    options.warn("HALLPASS_SECRET is not set: using a random secret for this process. Its tokens stop verifying when it exits, and no other service can verify them.");
  } else {
    access = parseSecret(options.secret, "HALLPASS_SECRET");
  }
  const refresh2 = options.refreshSecret === void 0 ? await deriveRefreshSecret(access) : parseSecret(options.refreshSecret, "HALLPASS_REFRESH_SECRET");
  if (options.refreshSecret !== void 0 && sameBytes(access.bytes, refresh2.bytes)) {
    throw new ConfigError("HALLPASS_REFRESH_SECRET must differ from HALLPASS_SECRET: a refresh token must never verify as an access token");
  }
  const [accessKey, refreshKey] = await Promise.all([ringKey(secretJwk(access), options.crypto), ringKey(secretJwk(refresh2), options.crypto)]);
  return {
    access: new KeyRing([accessKey], { findByKid: false }),
    refresh: new KeyRing([refreshKey], { findByKid: false }),
    accessSigner: signingKey(accessKey, accessTyp),
    refreshSigner: signingKey(refreshKey, refreshTyp),
    published: []
  };
}
async function resolveKeyRing(options, accessTyp, refreshTyp) {
  const accessJwks = await checkKeySet(options.keys, "HALLPASS_KEYS");
  if (options.refreshSecret === void 0) {
    throw new ConfigError("HALLPASS_REFRESH_SECRET is required with HALLPASS_KEYS: refresh tokens are HS256 under a key of their own");
  }
  const refresh2 = await refreshKeys(options.refreshSecret);
  for (const refreshJwk of refresh2.jwks) {
    for (const accessJwk of accessJwks) {
      if (accessJwk.secret !== void 0 && sameBytes(accessJwk.secret, refreshJwk.secret)) {
        throw new ConfigError(`HALLPASS_REFRESH_SECRET must differ from every key of HALLPASS_KEYS (it equals key "${accessJwk.kid}")`);
      }
    }
  }
  let signer;
  if (options.signingKid !== void 0) {
    signer = accessJwks.find((jwk) => jwk.kid === options.signingKid);
    if (signer === void 0) throw new ConfigError(`HALLPASS_SIGNING_KID: no key of HALLPASS_KEYS has the kid "${options.signingKid.slice(0, 100)}"`);
    if (signer.private === void 0) throw new ConfigError(`HALLPASS_SIGNING_KID: key "${signer.kid}" has no private material: it can only verify`);
  } else {
    signer = accessJwks.find((jwk) => jwk.private !== void 0);
  }
  const [accessKeys, refreshRingKeys] = await Promise.all([importAll(accessJwks, options.crypto, "HALLPASS_KEYS"), importAll(refresh2.jwks, options.crypto, "HALLPASS_REFRESH_SECRET")]);
  const signingRingKey = signer === void 0 ? void 0 : accessKeys[accessJwks.indexOf(signer)];
  return {
    access: new KeyRing(accessKeys, { findByKid: true }),
    refresh: new KeyRing(refreshRingKeys, { findByKid: refresh2.findByKid }),
    accessSigner: signingRingKey === void 0 ? void 0 : signingKey(signingRingKey, accessTyp),
    // The first refresh key signs; all of them verify (rotation of the refresh secret).
    refreshSigner: signingKey(refreshRingKeys[0], refreshTyp),
    published: accessJwks.filter((jwk) => jwk.public.kty !== "oct").map(publicJwk)
  };
}

// src/keys/remote.ts
var JWKS_LIMITS = {
  /** A fetch, headers and body, ends within this (ms). */
  timeoutMs: 5e3,
  /** Longest body read; the fetch is aborted past it. */
  maxBytes: 512 * 1024,
  /** Cache-Control max-age is held within these (seconds), and taken as `defaultMaxAge` without one. */
  minMaxAge: 60,
  maxMaxAge: 24 * 60 * 60,
  defaultMaxAge: 600,
  /** An unknown kid refetches only when the last fetch started at least this long ago (ms). */
  refetchIntervalMs: 3e4,
  /** Keys fetched once keep verifying this long when refetches fail (ms). */
  staleIfErrorMs: 24 * 60 * 60 * 1e3,
  /** Keys taken from one JWK Set at most: a huge set must not cost a key import per member. */
  maxKeys: 64
};
function freshness(headers) {
  const control = headers.get("Cache-Control") ?? "";
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(?:,|$)/i.exec(control);
  let seconds = JWKS_LIMITS.defaultMaxAge;
  if (/(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|=|$)/i.test(control)) seconds = 0;
  else if (match !== null) seconds = Number(match[1]) - (Number(/^\d{1,10}$/.exec(headers.get("Age") ?? "")?.[0] ?? 0) || 0);
  return Math.min(JWKS_LIMITS.maxMaxAge, Math.max(JWKS_LIMITS.minMaxAge, seconds));
}
function delay(ms) {
  let timer;
  const promise = new Promise((resolve) => {
    timer = setTimeout(() => resolve(void 0), ms);
  });
  return {
    promise,
    cancel: () => {
      if (timer !== void 0) clearTimeout(timer);
    }
  };
}
async function fetchJwks(fetchImpl, uri, timeoutMs, maxBytes = JWKS_LIMITS.maxBytes) {
  const controller = new AbortController();
  const attempt = async () => {
    const response = await fetchImpl(uri, { redirect: "manual", signal: controller.signal, headers: { Accept: "application/jwk-set+json, application/json" } });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {
      });
      throw new JwksError(response.status >= 300 && response.status < 400 ? `HTTP ${response.status}: redirects are not followed` : `HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get("Content-Length") ?? 0);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {
      });
      throw new JwksError(`body of ${declared} bytes, over the ${maxBytes}-byte bound`);
    }
    const bytes = new Uint8Array(Math.min(declared || 16 * 1024, maxBytes));
    let buffer = bytes;
    let length = 0;
    if (response.body !== null) {
      const reader = response.body.getReader();
      for (; ; ) {
        const { done, value } = await reader.read();
        if (done) break;
        if (length + value.length > maxBytes) {
          await reader.cancel().catch(() => {
          });
          throw new JwksError(`body over the ${maxBytes}-byte bound`);
        }
        if (length + value.length > buffer.length) {
          const grown = new Uint8Array(Math.min(maxBytes, Math.max(buffer.length * 2, length + value.length)));
          grown.set(buffer.subarray(0, length));
          buffer = grown;
        }
        buffer.set(value, length);
        length += value.length;
      }
    }
    let body;
    try {
      body = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buffer.subarray(0, length));
    } catch {
      throw new JwksError("body is not UTF-8");
    }
    return { body, maxAge: freshness(response.headers) };
  };
  const timer = delay(timeoutMs);
  try {
    const result = await Promise.race([attempt(), timer.promise]);
    if (result === void 0) throw new JwksError(`timeout: no complete answer within ${timeoutMs} ms`);
    return result;
  } catch (error) {
    if (error instanceof JwksError) throw error;
    throw new JwksError(controller.signal.aborted ? `timeout: no complete answer within ${timeoutMs} ms` : `fetch failed (${error instanceof Error ? error.name : "error"})`, { cause: error });
  } finally {
    timer.cancel();
    controller.abort();
  }
}
var PRIVATE_MEMBERS2 = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];
function boundAlgorithm(raw, allowed) {
  if (raw.alg !== void 0) {
    const alg = algorithmNamed(raw.alg);
    return alg !== void 0 && !isSymmetric(alg) && allowed.has(alg) ? alg : void 0;
  }
  return keyAlgorithms(raw).find((alg) => !isSymmetric(alg) && allowed.has(alg));
}
async function remoteRing(body, allowed, provider, label2, warn = () => {
}) {
  let set;
  try {
    set = JSON.parse(body);
  } catch {
    throw new JwksError("body is not JSON");
  }
  const members = typeof set === "object" && set !== null ? set.keys : void 0;
  if (!Array.isArray(members)) throw new JwksError('body is not a JWK Set {"keys":[...]}');
  const keys = [];
  for (const [index, member] of members.entries()) {
    if (keys.length >= JWKS_LIMITS.maxKeys) break;
    if (typeof member !== "object" || member === null || Array.isArray(member)) continue;
    const raw = { ...member };
    if (raw.use !== void 0 && raw.use !== "sig") continue;
    const alg = boundAlgorithm(raw, allowed);
    if (alg === void 0) continue;
    for (const name of PRIVATE_MEMBERS2) delete raw[name];
    let checked;
    try {
      checked = checkJwk({ ...raw, alg, use: void 0 }, index, label2);
    } catch (error) {
      warn(`${error instanceof Error ? error.message : label2}; this key is not used, the others still verify`);
      continue;
    }
    checked.kid ??= await thumbprint(checked.public);
    try {
      keys.push(await ringKey(checked, provider));
    } catch {
      warn(`${label2}: key ${JSON.stringify(checked.kid.slice(0, 100))} cannot be imported as ${alg}; this key is not used, the others still verify`);
    }
  }
  if (keys.length === 0) throw new JwksError(`no usable key (of ${members.length}) for ${[...allowed].join(", ")}`);
  return new KeyRing(keys, { findByKid: true });
}
var RemoteKeySet = class {
  uri;
  issuer;
  #allowed;
  #fetch;
  #clock;
  #cache;
  #log;
  #crypto;
  #timeoutMs;
  #ring;
  /** When the keys in memory were fetched (ms), and for how long they are fresh (ms). */
  #fetchedAt = -Infinity;
  #freshMs = 0;
  /** When the last fetch started (ms, the injected clock), or when the shared cache's entry was fetched. */
  #lastFetch = -Infinity;
  #sharedRead = false;
  #flight;
  /** Fetches started, for tests and the log. */
  fetches = 0;
  constructor(options) {
    this.uri = options.uri;
    this.issuer = options.issuer;
    this.#allowed = new Set(options.algorithms);
    const globalFetch = globalThis.fetch;
    this.#fetch = options.fetch ?? ((input, init) => globalFetch(input, init));
    this.#clock = options.clock ?? Date.now;
    this.#cache = options.cache;
    this.#log = options.log ?? ((message) => console.warn(message));
    this.#crypto = options.crypto ?? webCrypto;
    this.#timeoutMs = options.timeoutMs ?? JWKS_LIMITS.timeoutMs;
  }
  /** Whether a fetch may start now: the first always, later ones 30 s after the last. */
  #mayFetch(now) {
    return now - this.#lastFetch >= JWKS_LIMITS.refetchIntervalMs;
  }
  /**
   * The key a header selects (its `alg` already allowed): by `kid` and `alg`, or without `kid` the
   * only key of that `alg`. Undefined when there is none, even after the refetch an unknown kid
   * may trigger.
   */
  key(header) {
    const ring = this.#ring;
    const now = this.#clock();
    const age = now - this.#fetchedAt;
    if (ring !== void 0 && age < this.#freshMs) {
      const key = ring.select(header);
      if (key !== void 0) return key;
    }
    if (this.#flight === void 0 && !this.#mayFetch(now)) return ring !== void 0 && age < JWKS_LIMITS.staleIfErrorMs ? ring.select(header) : void 0;
    return this.#keyAfterUpdate(header);
  }
  async #keyAfterUpdate(header) {
    for (let round = 0; round < 2; round++) {
      await this.#update();
      const now = this.#clock();
      const ring = this.#ring;
      if (ring !== void 0 && now - this.#fetchedAt < JWKS_LIMITS.staleIfErrorMs) {
        const key = ring.select(header);
        if (key !== void 0) return key;
      }
      if (!this.#mayFetch(now) || this.#flight !== void 0) return void 0;
    }
    return void 0;
  }
  /**
   * One update at a time per key set; every caller waits at most the time bound (with a timer of
   * its own), and a flight older than the bound is dropped: on Workers a fetch started by a request
   * that has ended may never settle.
   */
  #update() {
    const started = Date.now();
    let flight = this.#flight;
    if (flight !== void 0 && started - flight.started > this.#timeoutMs + 1e3) {
      this.#flight = flight = void 0;
      if (!this.#mayFetch(this.#clock())) return Promise.resolve();
    }
    if (flight === void 0) {
      const promise = this.#work().then(
        () => {
        },
        (error) => this.#log(`trusted issuer ${JSON.stringify(this.issuer)}: ${error instanceof Error ? error.message : "failed"}`)
      );
      flight = { promise, started };
      this.#flight = flight;
      const mine = flight;
      void promise.finally(() => {
        if (this.#flight === mine) this.#flight = void 0;
      });
    }
    const remaining = Math.max(0, flight.started + this.#timeoutMs + 500 - started);
    const timer = delay(remaining);
    return Promise.race([flight.promise, timer.promise]).then(() => timer.cancel());
  }
  async #work() {
    if (this.#cache !== void 0 && !this.#sharedRead) {
      this.#sharedRead = true;
      let entry;
      try {
        entry = await this.#cache.read(this.uri);
      } catch (error) {
        this.#log(
          `trusted issuer ${JSON.stringify(this.issuer)}: ${error instanceof JwksError ? `the JWKS cache's entry for ${this.uri} is ignored: ${error.message}` : `the JWKS cache cannot be read (${error instanceof Error ? error.name : "error"})`}`
        );
      }
      const now = this.#clock();
      if (entry !== void 0 && isEntry(entry) && now - entry.fetchedAt < JWKS_LIMITS.staleIfErrorMs && entry.fetchedAt > this.#fetchedAt) {
        try {
          this.#install(await remoteRing(entry.body, this.#allowed, this.#crypto, this.#label(), this.#log), Math.min(entry.fetchedAt, now), entry.maxAge);
          this.#lastFetch = Math.max(this.#lastFetch, Math.min(entry.fetchedAt, now));
        } catch {
        }
        if (now - this.#fetchedAt < this.#freshMs) return;
      }
    }
    await this.#fetchNow();
  }
  async #fetchNow() {
    const fetchedAt = this.#clock();
    this.#lastFetch = fetchedAt;
    this.fetches++;
    let fetched;
    let ring;
    try {
      fetched = await fetchJwks(this.#fetch, this.uri, this.#timeoutMs);
      ring = await remoteRing(fetched.body, this.#allowed, this.#crypto, this.#label(), this.#log);
    } catch (error) {
      const kept = this.#ring !== void 0 && this.#clock() - this.#fetchedAt < JWKS_LIMITS.staleIfErrorMs;
      const reason = error instanceof JwksError ? error.message : error instanceof Error ? error.name : "error";
      throw new JwksError(`JWKS ${this.uri} unavailable: ${reason}${kept ? `; the keys fetched ${Math.round((this.#clock() - this.#fetchedAt) / 1e3)} s ago keep verifying` : ""}`, { cause: error });
    }
    this.#install(ring, fetchedAt, fetched.maxAge);
    if (this.#cache !== void 0) {
      try {
        await this.#cache.write(this.uri, { body: fetched.body, fetchedAt, maxAge: fetched.maxAge });
      } catch (error) {
        this.#log(`trusted issuer ${JSON.stringify(this.issuer)}: the JWKS cache cannot be written (${error instanceof Error ? error.name : "error"})`);
      }
    }
  }
  #install(ring, fetchedAt, maxAge) {
    this.#ring = ring;
    this.#fetchedAt = fetchedAt;
    this.#freshMs = Math.min(JWKS_LIMITS.maxMaxAge, Math.max(JWKS_LIMITS.minMaxAge, maxAge)) * 1e3;
  }
  /** How log lines and skipped keys name this key set: its issuer and jwks_uri, as the other lines do. */
  #label() {
    return `trusted issuer ${JSON.stringify(this.issuer).slice(0, 120)}: JWKS ${this.uri}`;
  }
};
function isEntry(value) {
  const entry = value;
  return typeof entry === "object" && entry !== null && typeof entry.body === "string" && Number.isFinite(entry.fetchedAt) && Number.isFinite(entry.maxAge);
}
async function cacheKeys(secret) {
  const material = await crypto.subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  const derive = (info) => crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: utf8("hallpass"), info: utf8(info) }, material, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign", "verify"]);
  const [locate, seal] = await Promise.all([derive("hallpass jwks-cache url v2"), derive("hallpass jwks-cache entry v2")]);
  return { locate, seal };
}
async function entryUrl(keys, uri) {
  const name = new Uint8Array(await crypto.subtle.sign("HMAC", keys.locate, utf8(uri)));
  return `https://jwks-cache.hallpass.invalid/v2/${encode(name)}`;
}
function sealed(uri, entry) {
  return utf8(JSON.stringify([uri, entry.fetchedAt, entry.maxAge, entry.body]));
}
async function macMatches(key, mac, data) {
  if (typeof mac !== "string") return false;
  let bytes;
  try {
    bytes = decode(mac);
  } catch {
    return false;
  }
  return crypto.subtle.verify("HMAC", key, bytes, data);
}
function cacheSecretBytes(secret, caller) {
  const bytes = typeof secret === "string" ? utf8(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.length < MIN_SECRET_BYTES) throw new ConfigError(`${caller}: the JWKS cache's secret must be at least ${MIN_SECRET_BYTES} bytes`);
  return bytes;
}
function cacheApiJwksCache(cache, secret) {
  const bytes = cacheSecretBytes(secret, "cacheApiJwksCache()");
  let derivation;
  const derived = () => derivation ??= cacheKeys(bytes);
  return {
    async read(uri) {
      const keys = await derived();
      const response = await cache.match(await entryUrl(keys, uri));
      if (response === void 0) return void 0;
      const stored = await response.json().catch(() => void 0);
      if (isEntry(stored)) {
        const entry = { body: stored.body, fetchedAt: stored.fetchedAt, maxAge: stored.maxAge };
        if (await macMatches(keys.seal, stored.mac, sealed(uri, entry))) return entry;
      }
      throw new JwksError("it failed authentication (forged, or corrupted)");
    },
    async write(uri, entry) {
      const keys = await derived();
      const clean = { body: entry.body, fetchedAt: entry.fetchedAt, maxAge: entry.maxAge };
      const mac = encode(new Uint8Array(await crypto.subtle.sign("HMAC", keys.seal, sealed(uri, clean))));
      const seconds = Math.ceil(JWKS_LIMITS.staleIfErrorMs / 1e3);
      await cache.put(await entryUrl(keys, uri), new Response(JSON.stringify({ ...clean, mac }), { headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${seconds}` } }));
    }
  };
}
function defaultJwksCache(secret) {
  const cache = globalThis.caches?.default;
  return cache === void 0 ? void 0 : cacheApiJwksCache(cache, secret);
}

// src/keys/trusted.ts
var ASYMMETRIC_ALGORITHMS = Object.keys(ALGORITHMS).filter((alg) => !isSymmetric(alg));
var MEMBERS = /* @__PURE__ */ new Set(["issuer", "jwks_uri", "audience", "algorithms"]);
function isLoopback(hostname) {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
function quoted(text) {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}\u2026` : text);
}
function checkTrustedIssuers(value, ownIssuer, setting = "HALLPASS_TRUSTED_ISSUERS") {
  let list = value;
  if (typeof value === "string") {
    try {
      list = JSON.parse(value);
    } catch {
      throw new ConfigError(`${setting} is not valid JSON: expected [{"issuer":"...","jwks_uri":"https://..."}]`);
    }
  }
  if (!Array.isArray(list)) throw new ConfigError(`${setting} must be a JSON array of {"issuer","jwks_uri","audience"?,"algorithms"?}`);
  const seen = /* @__PURE__ */ new Set();
  return list.map((entry, index) => {
    let name = `issuer #${index + 1}`;
    const fail = (problem) => {
      throw new ConfigError(`${setting}: ${name}: ${problem}`);
    };
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) fail('must be a JSON object {"issuer","jwks_uri"}');
    const raw = entry;
    if (typeof raw.issuer !== "string" || raw.issuer === "") fail('"issuer" must be a non-empty string');
    const issuer = raw.issuer;
    name = `issuer ${quoted(issuer)}`;
    for (const member of Object.keys(raw)) if (!MEMBERS.has(member)) fail(`unknown member ${quoted(member)} (expected issuer, jwks_uri, audience, algorithms)`);
    if (seen.has(issuer)) fail("is listed twice");
    seen.add(issuer);
    if (ownIssuer !== void 0 && issuer === ownIssuer) fail("is this node's own HALLPASS_ISSUER: its tokens are verified with this node's keys");
    if (typeof raw.jwks_uri !== "string") fail('"jwks_uri" must be a string');
    let url;
    try {
      url = new URL(raw.jwks_uri);
    } catch {
      return fail('"jwks_uri" is not a URL');
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) fail('"jwks_uri" must be https:// (plain http:// only to localhost, 127.0.0.0/8 or [::1])');
    if (url.username !== "" || url.password !== "") fail('"jwks_uri" must not carry credentials');
    if (raw.audience !== void 0 && (typeof raw.audience !== "string" || raw.audience === "")) fail('"audience" must be a non-empty string');
    let algorithms = ASYMMETRIC_ALGORITHMS;
    if (raw.algorithms !== void 0) {
      if (!Array.isArray(raw.algorithms) || raw.algorithms.length === 0) fail('"algorithms" must be a non-empty array');
      algorithms = raw.algorithms.map((given) => {
        const alg = algorithmNamed(given);
        if (alg === void 0) return fail(`algorithm ${quoted(String(given))} is not one of ${ASYMMETRIC_ALGORITHMS.join(", ")}`);
        if (isSymmetric(alg)) fail(`${alg} is an HMAC algorithm: a trusted issuer's tokens must be signed with a private key (one of ${ASYMMETRIC_ALGORITHMS.join(", ")})`);
        return alg;
      });
      algorithms = [...new Set(algorithms)];
    }
    return { issuer, jwksUri: url.href, audience: raw.audience, algorithms };
  });
}
var MAX_HEADERS2 = 64;
var TrustedIssuer = class {
  issuer;
  algorithms;
  /** `iss` is this issuer (it was chosen by it), `aud` its audience, times with this node's tolerance. */
  rules;
  keys;
  #verdicts = /* @__PURE__ */ new Map();
  constructor(checked, keys, rules) {
    this.issuer = checked.issuer;
    this.algorithms = new Set(checked.algorithms);
    this.keys = keys;
    this.rules = rules;
  }
  /**
   * The algorithm allow-list (this issuer's; `none` and HMAC never), then `crit`, and whether
   * `typ` says access token (kept for after the signature). Throws malformed_token on a header
   * that is not a JSON object; a repeated header costs one Map lookup.
   */
  judge(segment) {
    const known = this.#verdicts.get(segment);
    if (known !== void 0) return known;
    const header = parseSegment(segment);
    const alg = algorithmNamed(header.alg);
    let verdict;
    if (alg === void 0 || !this.algorithms.has(alg)) verdict = { error: "unsupported_algorithm" };
    else if (header.crit !== void 0) verdict = { error: "malformed_token" };
    else verdict = { header, access: isTrustedAccessTyp(header) };
    if (this.#verdicts.size >= MAX_HEADERS2) this.#verdicts.clear();
    this.#verdicts.set(segment, verdict);
    return verdict;
  }
};
function trustedIssuers(checked, options) {
  if (checked.length === 0) return void 0;
  const now = () => Math.floor(options.clock() / 1e3);
  return new Map(
    checked.map((issuer) => {
      const keys = new RemoteKeySet({ issuer: issuer.issuer, uri: issuer.jwksUri, algorithms: issuer.algorithms, fetch: options.fetch, clock: options.clock, cache: options.cache, log: options.log, crypto: options.crypto });
      const audience = issuer.audience ?? options.audience;
      if (audience === void 0) {
        options.log(`trusted issuer ${quoted(issuer.issuer)}: neither its "audience" nor ${options.audienceSetting} is set, so its tokens pass whatever their "aud" (a token it gave another API too): set one (RFC 8725 \xA73.9)`);
      }
      const rules = { issuer: issuer.issuer, audience, clockTolerance: options.clockTolerance, now };
      return [issuer.issuer, new TrustedIssuer(issuer, keys, rules)];
    })
  );
}

// src/protocol/handler.ts
var ERROR_CODES = {
  unknownType: 10,
  unavailable: 11,
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
  revoke_subject: {
    run: (hp, body) => hp.revokeSubject(body.sub),
    reply: ({ sub }) => ({ type: "subject_revoked", sub })
  },
  jwks: {
    run: (hp) => hp.jwks(),
    reply: (keys) => ({ type: "jwks_ok", keys })
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
  if (msgId === void 0) return reply;
  const addressed = { type: reply.type, in_reply_to: msgId };
  for (const key in reply) if (key !== "type") addressed[key] = reply[key];
  return addressed;
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
   * where the `msg_id` (or `src`) itself is unusable.
   */
  handle(message) {
    return promised(() => this.#reply(message));
  }
  /**
   * The reply as JSON text, for a transport to write: never throws, and never leaves a message
   * with a `msg_id` unanswered. A reply that cannot be serialized (a bug: every input is bounded
   * before it gets here) becomes an error 13 reply addressed like the request.
   */
  respond(message) {
    return promised(() => this.respondNow(message));
  }
  /**
   * `respond`, synchronous when the operation is (node:crypto, the memory store): the stdin node
   * writes such a reply at once, a promise only where something is really awaited.
   */
  respondNow(message) {
    let reply;
    try {
      reply = this.#reply(message);
    } catch (error) {
      reply = this.#internal(message, error);
    }
    if (!isPending(reply)) return this.#serialize(message, reply);
    return reply.then(
      (done) => this.#serialize(message, done),
      (error) => this.#serialize(message, this.#internal(message, error))
    );
  }
  #reply(message) {
    if (!isObject(message)) return null;
    const enveloped = "body" in message;
    const body = enveloped ? message.body : message;
    const msgId = isObject(body) ? body.msg_id : void 0;
    if (msgId !== void 0 && !isUsableMsgId(msgId)) {
      return this.#address(message, errorBody(ERROR_CODES.malformedRequest, "msg_id must be a string or a number within \xB1(2^53 \u2212 1)"));
    }
    const answer = this.#check(message, enveloped, body) ?? this.#answer(body);
    if (isPending(answer)) return answer.then((done) => this.#address(message, withReplyTo(msgId, done)));
    return this.#address(message, withReplyTo(msgId, answer));
  }
  #serialize(message, reply) {
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
  /** The reply body (no in_reply_to yet); a promise only when the operation is still under way. */
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
    if (!isPending(result)) return operation.reply(result);
    return result.then(operation.reply, (error) => this.#failure(error));
  }
  /** A thrown error as a reply: token_invalid, a request error (12), the store away (11) or an internal failure (13). */
  #failure(error) {
    if (error instanceof TokenError) return { type: "token_invalid", error: error.message, code: error.code };
    if (error instanceof RequestError) return errorBody(ERROR_CODES.malformedRequest, error.message);
    if (error instanceof VerifyOnlyError) return errorBody(ERROR_CODES.unknownType, error.message);
    if (error instanceof StoreUnavailableError) return errorBody(ERROR_CODES.unavailable, error.message);
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
    meaning: "key for refresh tokens, same forms, or with HALLPASS_KEYS a JWK Set of oct keys with kids (the first signs); must differ from every access key",
    fallback: "derived from HALLPASS_SECRET (HKDF); required with HALLPASS_KEYS"
  },
  keys: {
    env: "HALLPASS_KEYS",
    kind: "secret",
    where: "both",
    meaning: 'the access-token key ring instead of HALLPASS_SECRET: a JWK Set {"keys":[...]} of HS256/384/512, RS256, PS256, ES256, ES384, EdDSA keys, each with its alg; private keys sign, public keys only verify',
    fallback: "unset"
  },
  signingKid: {
    env: "HALLPASS_SIGNING_KID",
    kind: "text",
    where: "both",
    meaning: "the kid of the HALLPASS_KEYS key that signs new access tokens",
    fallback: "the first key with private material"
  },
  accessTtl: { env: "HALLPASS_ACCESS_TTL", kind: "seconds", where: "both", meaning: "access-token lifetime, seconds", fallback: "900", default: 900, min: 1 },
  refreshTtl: { env: "HALLPASS_REFRESH_TTL", kind: "seconds", where: "both", meaning: "refresh-token lifetime, seconds", fallback: "604800 (7 days)", default: 604800, min: 1 },
  issuer: { env: "HALLPASS_ISSUER", kind: "text", where: "both", meaning: "put in issued tokens as iss and required on verify", fallback: "unset" },
  audience: { env: "HALLPASS_AUDIENCE", kind: "text", where: "both", meaning: "put in issued tokens as aud and required on verify, of a trusted issuer's tokens too unless its entry has an audience", fallback: "unset" },
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
    meaning: "verified access tokens to cache (LRU, whole-token keys; expiry and revocation checked on every hit; this node's own tokens only); 0 turns it off",
    fallback: "0"
  },
  trustedIssuers: {
    env: "HALLPASS_TRUSTED_ISSUERS",
    kind: "text",
    where: "both",
    meaning: 'other issuers whose access tokens verify with the keys they publish: a JSON array of {"issuer","jwks_uri":"https://...","audience"?,"algorithms"?}; a token is theirs by its exact iss; without audience, HALLPASS_AUDIENCE applies',
    fallback: "unset"
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
  store: {
    env: "HALLPASS_STORE",
    kind: "text",
    where: "node",
    meaning: "where refresh families and revocations live: memory; sqlite:PATH (one file, which every node process on this machine may share; it survives restarts); postgres://user:password@host:port/db (one database that nodes on several machines share)",
    fallback: "memory"
  },
  storeWait: {
    env: "HALLPASS_STORE_WAIT",
    kind: "seconds",
    where: "node",
    default: 10,
    min: 0,
    meaning: "how long to wait for another process holding the store locked, at start and on each write, seconds",
    fallback: "10"
  },
  storePool: {
    env: "HALLPASS_STORE_POOL",
    kind: "count",
    where: "node",
    default: 10,
    min: 2,
    meaning: "with postgres://\u2026: the most connections this node opens, the one listening for revocations included",
    fallback: "10"
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
function applyRotation(family, { generation, next, now, reuseInterval }, cutoffMs) {
  if (cutoffMs !== void 0 && family.authTimeMs < cutoffMs) {
    family.revoked = true;
    return { status: "revoked" };
  }
  if (generation < family.generation) {
    const predecessor = generation === family.generation - 1;
    if (predecessor && !family.revoked && reuseInterval > 0 && now - family.rotatedAt <= reuseInterval) {
      return { status: "grace", claims: family.claims, authTimeMs: family.authTimeMs, current: family.current };
    }
    family.revoked = true;
    return { status: "reused" };
  }
  if (family.revoked || generation !== family.generation) return { status: "revoked" };
  family.generation = generation + 1;
  family.current = next;
  family.rotatedAt = now;
  return { status: "rotated", claims: family.claims, authTimeMs: family.authTimeMs };
}

// src/store/sharded-map.ts
var SHARDS = 1024;
var SWEEP_STEP = 8;
var SWEEP_SHARDS = 64;
function shardOf(key) {
  let hash = 2166136261;
  for (let i = Math.max(0, key.length - 16); i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return (hash >>> 0) % SHARDS;
}
var ShardedMap = class {
  #shards = new Array(SHARDS);
  #expiresAt;
  #size = 0;
  /** The sweep's place: a shard, and an iterator over it. */
  #sweepShard = 0;
  #cursor;
  constructor(expiresAt) {
    this.#expiresAt = expiresAt;
  }
  get size() {
    return this.#size;
  }
  get(key) {
    return this.#shards[shardOf(key)]?.get(key);
  }
  set(key, value) {
    const index = shardOf(key);
    let shard = this.#shards[index];
    if (shard === void 0) this.#shards[index] = shard = /* @__PURE__ */ new Map();
    const before = shard.size;
    shard.set(key, value);
    this.#size += shard.size - before;
  }
  /**
   * Looks at the next SWEEP_STEP entries (or fewer, at the end of a shard) and deletes those
   * expired by `now`; each step resumes where the last one stopped, shard after shard.
   */
  sweep(now) {
    if (this.#size === 0) return;
    for (let looked = 0, shards = 0; looked < SWEEP_STEP && shards < SWEEP_SHARDS; ) {
      const shard = this.#shards[this.#sweepShard];
      if (shard === void 0 || shard.size === 0) {
        this.#nextShard();
        shards++;
        continue;
      }
      this.#cursor ??= shard.entries();
      const next = this.#cursor.next();
      if (next.done === true) {
        this.#nextShard();
        shards++;
        continue;
      }
      looked++;
      const [key, value] = next.value;
      if (this.#expiresAt(value) <= now) {
        shard.delete(key);
        this.#size--;
      }
    }
  }
  #nextShard() {
    this.#cursor = void 0;
    this.#sweepShard = (this.#sweepShard + 1) % SHARDS;
  }
};

// src/lib/random.ts
var RANDOM_BYTES = 16;
var TIME_BYTES = 6;
var pool = new Uint8Array(RANDOM_BYTES * 256);
var poolOffset = pool.length;
function takeRandom(into, at) {
  if (poolOffset === pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  into.set(pool.subarray(poolOffset, poolOffset + RANDOM_BYTES), at);
  pool.fill(0, poolOffset, poolOffset + RANDOM_BYTES);
  poolOffset += RANDOM_BYTES;
}
function randomId() {
  const bytes = new Uint8Array(RANDOM_BYTES);
  takeRandom(bytes, 0);
  return encode(bytes);
}
var TIMED_ID_LENGTH = 30;
function timedId(ms) {
  const bytes = new Uint8Array(TIME_BYTES + RANDOM_BYTES);
  let t = Math.max(0, Math.floor(ms));
  for (let i = TIME_BYTES - 1; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  takeRandom(bytes, TIME_BYTES);
  return encode(bytes);
}
function issuedAtMs(jti, iat) {
  if (typeof iat !== "number" || !Number.isFinite(iat)) return -Infinity;
  const second = Math.floor(iat) * 1e3;
  if (typeof jti !== "string" || jti.length !== TIMED_ID_LENGTH) return second;
  let bytes;
  try {
    bytes = decode(jti.slice(0, 8));
  } catch {
    return second;
  }
  let ms = 0;
  for (let i = 0; i < TIME_BYTES; i++) ms = ms * 256 + bytes[i];
  return ms >= second && ms < second + 1e3 ? ms : second;
}

// src/store/view.ts
function judgedInstantMs({ authTime, jti, iat }) {
  if (authTime === void 0) return issuedAtMs(jti, iat);
  return typeof authTime === "number" && Number.isFinite(authTime) ? Math.round(authTime * 1e3) : -Infinity;
}
var RevocationView = class {
  #tokens = new ShardedMap((until) => until);
  #cutoffs = new ShardedMap((cutoff) => cutoff.expiresAt);
  /** The last sequence number of the log applied (stores with a log). */
  lastSeq = 0;
  #stale = false;
  #writes = 0;
  revokeToken(jti, expiresAt, now) {
    this.#sweep(now);
    this.#tokens.set(jti, Math.max(expiresAt, this.#tokens.get(jti) ?? 0));
  }
  /** A later cut-off replaces an earlier one; each keeps the later expiry. */
  revokeSubject(sub, cutoffMs, expiresAt, now) {
    this.#sweep(now);
    const known = this.#cutoffs.get(sub);
    this.#cutoffs.set(sub, { cutoffMs: Math.max(cutoffMs, known?.cutoffMs ?? -Infinity), expiresAt: Math.max(expiresAt, known?.expiresAt ?? 0) });
  }
  /** Applies one row of a revocation log (expired rows change nothing). */
  apply(row, now) {
    if (row.expiresAt <= now) return;
    if (row.cutoffMs !== void 0 && row.sub !== void 0) this.revokeSubject(row.sub, row.cutoffMs, row.expiresAt, now);
    else if (row.jti !== void 0) this.revokeToken(row.jti, row.expiresAt, now);
  }
  /** The subject's live cut-off (epoch ms), if it has one. */
  cutoffOf(sub, now) {
    if (sub === void 0 || this.#cutoffs.size === 0) return void 0;
    const cutoff = this.#cutoffs.get(sub);
    return cutoff !== void 0 && cutoff.expiresAt > now ? cutoff.cutoffMs : void 0;
  }
  isRevoked(query, now) {
    if (query.jti !== void 0 && this.#tokens.size > 0) {
      const until = this.#tokens.get(query.jti);
      if (until !== void 0 && until > now) return true;
    }
    const cutoffMs = this.cutoffOf(query.sub, now);
    return cutoffMs !== void 0 && judgedInstantMs(query) < cutoffMs;
  }
  get size() {
    return { revokedTokens: this.#tokens.size, subjects: this.#cutoffs.size };
  }
  /**
   * Records whether the last attempt to bring the view up to date worked, and says so in `log`
   * when that changes: verify goes on with the revocations known, and the operator is told.
   */
  markCurrent(current, log, reason) {
    if (current && this.#stale) log("store: reachable again; revocations are current");
    if (!current && !this.#stale) log(`store: cannot read revocations, so this node's view of them is stale: verifying with those known so far${reason === void 0 ? "" : ` (${reason})`}`);
    this.#stale = !current;
  }
  get stale() {
    return this.#stale;
  }
  /** One bounded sweep step over both maps (sharded-map.ts): expired entries go. */
  sweep(now) {
    this.#tokens.sweep(now);
    this.#cutoffs.sweep(now);
  }
  /** A sweep step every fourth write of the view's own: see MemoryStore. */
  #sweep(now) {
    if ((this.#writes++ & 3) === 0) this.sweep(now);
  }
};

// src/store/memory.ts
var MemoryStore = class {
  #families = new ShardedMap((family) => family.current.exp);
  #revocations = new RevocationView();
  #writes = 0;
  createFamily(id, record, now) {
    this.#sweep(now);
    this.#families.set(id, { ...record, current: { ...record.current } });
  }
  rotateFamily(id, request) {
    this.#sweep(request.now);
    const family = this.#live(id, request.now);
    return family === void 0 ? { status: "unknown" } : applyRotation(family, request, this.#revocations.cutoffOf(request.sub, request.now));
  }
  revokeFamily(id, now) {
    const family = this.#live(id, now);
    if (family === void 0) return false;
    family.revoked = true;
    return true;
  }
  revokeToken(jti, _sub, expiresAt, now) {
    this.#revocations.revokeToken(jti, expiresAt, now);
  }
  revokeSubject(sub, cutoffMs, expiresAt, now) {
    this.#revocations.revokeSubject(sub, cutoffMs, expiresAt, now);
  }
  isRevoked(query, now) {
    return this.#revocations.isRevoked(query, now);
  }
  /** Entries currently held, for tests and metrics. */
  get size() {
    return { families: this.#families.size, ...this.#revocations.size };
  }
  #live(id, now) {
    const family = this.#families.get(id);
    if (family === void 0 || family.current.exp <= now) return void 0;
    return family;
  }
  /**
   * A sweep step every fourth write: it still looks at twice as many entries as are written, so a
   * pass over the store ends before the store can double; expired entries in between are refused
   * on read anyway (`#live`, `isRevoked` check expiry). A step on every write was 6 % of generate's profile.
   */
  #sweep(now) {
    if ((this.#writes++ & 3) !== 0) return;
    this.#families.sweep(now);
    this.#revocations.sweep(now);
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

// src/tokens/issue.ts
var NODE_CLAIMS = ["iat", "exp", "nbf", "jti", "auth_time"];
function callerClaims(claims, ctx) {
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    throw new RequestError("payload must be a JSON object of claims");
  }
  const { sub } = claims;
  if (typeof sub !== "string" || sub === "") throw new RequestError("payload.sub must be a non-empty string");
  const caller = { ...claims };
  for (const name of NODE_CLAIMS) delete caller[name];
  if (ctx.issuer !== void 0) delete caller.iss;
  else if (typeof caller.iss === "string" && ctx.trusted?.has(caller.iss)) throw new RequestError("payload.iss names a trusted issuer (HALLPASS_TRUSTED_ISSUERS): this node cannot issue its tokens");
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
function issue(ctx, claims) {
  const signer = accessSigner(ctx);
  const caller = callerClaims(claims, ctx);
  const family = randomId();
  const ms = ctx.issueClock.instant();
  const now = Math.floor(ms / 1e3);
  const current = nextRefreshToken(ctx, ms);
  return andThen(
    mint(ctx, signer, caller, family, 0, current, ms, ms, MAX_ISSUED_TOKEN_LENGTH),
    (tokens) => andThen(ctx.store.createFamily(family, { claims: caller, authTimeMs: ms, generation: 0, revoked: false, current, rotatedAt: now }, now), () => tokens)
  );
}
function accessSigner(ctx) {
  if (ctx.access === void 0) throw new VerifyOnlyError();
  return ctx.access;
}
function nextRefreshToken(ctx, ms) {
  const iat = Math.floor(ms / 1e3);
  return { jti: timedId(ms), iat, exp: iat + ctx.refreshTtl };
}
function mint(ctx, signer, caller, family, generation, refresh2, ms, authTimeMs, limit = MAX_TOKEN_LENGTH) {
  const registered = {};
  if (ctx.issuer !== void 0) registered.iss = ctx.issuer;
  if (ctx.audience !== void 0) registered.aud = ctx.audience;
  const now = Math.floor(ms / 1e3);
  const authTime = authTimeMs / 1e3;
  const access = { ...caller, ...registered, auth_time: authTime, iat: now, exp: now + ctx.accessTtl, jti: timedId(ms) };
  const refreshClaims = { sub: caller.sub, ...registered, fam: family, gen: generation, auth_time: authTime, iat: refresh2.iat, exp: refresh2.exp, jti: refresh2.jti };
  const accessToken = sign(signer.header, access, signer, ctx.encodeText);
  const refreshToken = sign(ctx.refresh.header, refreshClaims, ctx.refresh, ctx.encodeText);
  const tokenSet = (accessToken2, refreshToken2) => {
    if (accessToken2.length > limit || refreshToken2.length > limit) throw tooLarge(limit);
    return {
      access_token: accessToken2,
      token_type: "Bearer",
      expires_in: ctx.accessTtl,
      refresh_token: refreshToken2,
      refresh_expires_in: refresh2.exp - now
    };
  };
  if (isPending(accessToken) || isPending(refreshToken)) return Promise.all([accessToken, refreshToken]).then(([a, r]) => tokenSet(a, r));
  return tokenSet(accessToken, refreshToken);
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
  return now;
}
function hasAudience(aud, audience) {
  return aud === audience || Array.isArray(aud) && aud.includes(audience);
}

// src/tokens/trusted.ts
function verifyTrusted(issuer, parts, payload, expected) {
  const verdict = issuer.judge(parts.header);
  if (expected === "refresh") throw new TokenError("wrong_token_type");
  if (verdict.error !== void 0) throw new TokenError(verdict.error);
  const { access } = verdict;
  const key = issuer.keys.key(verdict.header);
  if (key === void 0 || !("then" in key)) return withKey(issuer, key, access, parts, payload);
  return key.then((found) => withKey(issuer, found, access, parts, payload));
}
function withKey(issuer, key, access, parts, payload) {
  if (key === void 0) throw new TokenError("unknown_key");
  const good = key.verify(parts.signingInput, parts.signature);
  if (typeof good === "boolean") return afterSignature(issuer, good, access, payload);
  return good.then((ok) => afterSignature(issuer, ok, access, payload));
}
function afterSignature(issuer, good, access, payload) {
  if (!good) throw new TokenError("invalid_signature");
  if (!access) throw new TokenError("wrong_token_type");
  return { kind: "access", payload, now: checkClaims(payload, issuer.rules), trusted: true };
}

// src/tokens/verify.ts
function verifyToken(ctx, token, expected) {
  const parts = splitCompact(token);
  const { trusted } = ctx;
  if (trusted !== void 0) {
    const payload = parseSegment(parts.payload, ctx.decodeText);
    const issuer = typeof payload.iss === "string" ? trusted.get(payload.iss) : void 0;
    if (issuer !== void 0) return verifyTrusted(issuer, parts, payload, expected);
    return ownToken(ctx, parts, payload, expected);
  }
  return ownToken(ctx, parts, void 0, expected);
}
function ownToken(ctx, parts, parsed, expected) {
  const verdict = ctx.keys.judge(parts.header);
  const payload = parsed ?? parseSegment(parts.payload, ctx.decodeText);
  if (verdict.error !== void 0) throw new TokenError(verdict.error);
  const { kind } = verdict;
  const good = verdict.key.verify(parts.signingInput, parts.signature);
  if (typeof good === "boolean") return afterSignature2(ctx, good, kind, expected, payload);
  return good.then((ok) => afterSignature2(ctx, ok, kind, expected, payload));
}
function afterSignature2(ctx, good, kind, expected, payload) {
  if (!good) throw new TokenError("invalid_signature");
  if (kind === "other" || expected !== "any" && kind !== expected) throw new TokenError("wrong_token_type");
  return { kind, payload, now: checkClaims(payload, ctx) };
}
function verifyAccess(ctx, token) {
  const { cache } = ctx;
  const payload = cache !== void 0 && typeof token === "string" ? cache.get(token) : void 0;
  if (payload === void 0) {
    const verified = verifyToken(ctx, token, "access");
    return isPending(verified) ? verified.then((done) => freshlyVerified(ctx, token, done)) : freshlyVerified(ctx, token, verified);
  }
  const now = ctx.now();
  if (payload.exp <= now - ctx.clockTolerance) {
    cache.delete(token);
    throw new TokenError("token_expired");
  }
  return unlessRevoked(ctx, payload, now);
}
function freshlyVerified(ctx, token, { payload, now, trusted }) {
  if (trusted) return payload;
  if (ctx.cache !== void 0) ctx.cache.set(token, deepFreeze(payload));
  return unlessRevoked(ctx, payload, now);
}
function unlessRevoked(ctx, payload, now) {
  const revoked = ctx.store.isRevoked(revocationQuery(payload), now);
  if (revoked === false) return payload;
  if (revoked === true) throw new TokenError("token_revoked");
  return Promise.resolve(revoked).then((answer) => {
    if (answer) throw new TokenError("token_revoked");
    return payload;
  });
}
function revocationQuery(payload) {
  const { jti, sub, iat, auth_time: authTime } = payload;
  return {
    jti: typeof jti === "string" ? jti : void 0,
    sub: typeof sub === "string" ? sub : void 0,
    iat: typeof iat === "number" ? iat : void 0,
    authTime
  };
}

// src/tokens/refresh.ts
function familyOf(payload) {
  const { fam, gen } = payload;
  if (typeof fam !== "string" || !Number.isSafeInteger(gen) || gen < 0) throw new TokenError("invalid_claims");
  return { family: fam, generation: gen };
}
async function refresh(ctx, token) {
  const signer = accessSigner(ctx);
  const { payload } = await verifyToken(ctx, token, "refresh");
  const { family, generation } = familyOf(payload);
  if (await ctx.store.isRevoked(revocationQuery(payload), ctx.now())) throw new TokenError("token_revoked");
  const ms = ctx.issueClock.instant();
  const now = Math.floor(ms / 1e3);
  const next = nextRefreshToken(ctx, ms);
  const sub = typeof payload.sub === "string" ? payload.sub : void 0;
  const retry = ctx.doubts.retryInterval(family, generation, now);
  const reuseInterval = retry === void 0 ? ctx.reuseInterval : Math.max(ctx.reuseInterval, retry);
  let result;
  try {
    result = await ctx.store.rotateFamily(family, { generation, sub, next, now, reuseInterval });
  } catch (error) {
    if (error instanceof StoreUnavailableError) ctx.doubts.add(family, generation, now);
    throw error;
  }
  if (retry !== void 0) ctx.doubts.settle(family, generation);
  switch (result.status) {
    case "rotated":
      return mint(ctx, signer, result.claims, family, generation + 1, next, ms, result.authTimeMs);
    case "grace":
      return mint(ctx, signer, result.claims, family, generation + 1, result.current, ms, result.authTimeMs);
    case "reused":
      throw new TokenError("refresh_token_reused");
    default:
      throw new TokenError("token_revoked");
  }
}

// src/tokens/clock.ts
var IssueClock = class {
  #clock;
  #floor = -Infinity;
  constructor(clock) {
    this.#clock = clock;
  }
  /** Epoch milliseconds of a token issued now. */
  instant() {
    return Math.max(this.#clock(), this.#floor);
  }
  /** Tokens issued from now on are issued at `ms` or later. */
  holdFrom(ms) {
    if (ms > this.#floor) this.#floor = ms;
  }
};

// src/tokens/doubts.ts
var MAX_DOUBTS = 1e4;
var RefreshDoubts = class {
  /** `family generation` → [the rotation's instant, remembered until] (epoch seconds). */
  #doubts = /* @__PURE__ */ new Map();
  #window;
  /** `window`: seconds a doubt is remembered (HALLPASS_STORE_WAIT + 60). */
  constructor(window) {
    this.#window = window;
  }
  /** A rotation tried at `now` whose outcome is unknown. */
  add(family, generation, now) {
    const key = `${family} ${generation}`;
    const first = this.#doubts.get(key)?.[0] ?? now;
    this.#doubts.delete(key);
    if (this.#doubts.size >= MAX_DOUBTS) this.#doubts.delete(this.#doubts.keys().next().value);
    this.#doubts.set(key, [first, now + this.#window]);
  }
  /**
   * The reuse interval a retry needs to be answered with the successor of the rotation in doubt
   * (every rotation since that attempt), or undefined when this is no retry of one.
   */
  retryInterval(family, generation, now) {
    const key = `${family} ${generation}`;
    const doubt = this.#doubts.get(key);
    if (doubt === void 0) return void 0;
    if (doubt[1] < now) {
      this.#doubts.delete(key);
      return void 0;
    }
    return Math.max(1, now - doubt[0]);
  }
  /** The retry got its answer: nothing is in doubt any more. */
  settle(family, generation) {
    if (this.#doubts.size > 0) this.#doubts.delete(`${family} ${generation}`);
  }
};

// src/tokens/revoke.ts
async function revoke(ctx, token) {
  const { kind, payload, trusted } = await verifyToken(ctx, token, "any");
  if (trusted) throw new TokenError("invalid_claims");
  const now = ctx.now();
  if (kind === "refresh") {
    await ctx.store.revokeFamily(familyOf(payload).family, now);
  } else {
    if (typeof payload.jti !== "string") throw new TokenError("invalid_claims");
    const sub = typeof payload.sub === "string" ? payload.sub : void 0;
    await ctx.store.revokeToken(payload.jti, sub, payload.exp + ctx.clockTolerance, now);
  }
  return { kind };
}
async function revokeSubject(ctx, sub) {
  if (typeof sub !== "string" || sub === "") throw new RequestError("sub must be a non-empty string");
  const cutoffMs = ctx.issueClock.instant() + 1;
  const now = ctx.now();
  const expiresAt = Math.floor(cutoffMs / 1e3) + Math.max(ctx.accessTtl, ctx.refreshTtl) + ctx.clockTolerance + 1;
  await ctx.store.revokeSubject(sub, cutoffMs, expiresAt, now);
  ctx.issueClock.holdFrom(cutoffMs);
  return { sub };
}

// src/hallpass.ts
var DEFAULTS = { accessTtl: checkedNumber("accessTtl", void 0), refreshTtl: checkedNumber("refreshTtl", void 0), clockTolerance: checkedNumber("clockTolerance", void 0) };
async function createHallpass(options = {}) {
  const accessTtl = checkedNumber("accessTtl", options.accessTtl);
  const refreshTtl = checkedNumber("refreshTtl", options.refreshTtl);
  const clockTolerance = checkedNumber("clockTolerance", options.clockTolerance);
  const reuseInterval = checkedNumber("reuseInterval", options.reuseInterval);
  const verifyCache = checkedNumber("verifyCache", options.verifyCache);
  const storeWait = checkedNumber("storeWait", options.storeWait);
  const issuer = checkedText("issuer", options.issuer);
  const audience = checkedText("audience", options.audience);
  const warn = options.onWarning ?? ((message) => console.warn(message));
  const trusted = options.trustedIssuers === void 0 ? [] : checkTrustedIssuers(options.trustedIssuers, issuer);
  const keys = await resolveKeys(
    { secret: options.secret, refreshSecret: options.refreshSecret, keys: options.keys, signingKid: checkedText("signingKid", options.signingKid), crypto: options.crypto, warn },
    ACCESS_TYP,
    REFRESH_TYP
  );
  const clock = options.clock ?? Date.now;
  const ctx = {
    keys: new KeySelector(keys.access, keys.refresh),
    decodeText: options.crypto?.decodeText,
    encodeText: options.crypto?.encodeText,
    access: keys.accessSigner,
    refresh: keys.refreshSigner,
    published: keys.published,
    accessTtl,
    refreshTtl,
    issuer,
    audience,
    clockTolerance,
    reuseInterval,
    store: options.store ?? new MemoryStore(),
    doubts: new RefreshDoubts(storeWait + 60),
    issueClock: new IssueClock(clock),
    cache: verifyCache > 0 ? new VerifiedCache(verifyCache) : void 0,
    now: () => Math.floor(clock() / 1e3),
    trusted: trustedIssuers(trusted, { fetch: options.fetch, clock, cache: options.jwksCache, log: warn, crypto: options.crypto, clockTolerance, audience, audienceSetting: "HALLPASS_AUDIENCE" })
  };
  const operations = {
    issue: (claims) => issue(ctx, claims),
    verify: (token) => verifyAccess(ctx, token),
    refresh: (token) => refresh(ctx, token),
    revoke: (token) => revoke(ctx, token),
    revokeSubject: (sub) => revokeSubject(ctx, sub),
    inspect,
    jwks: () => ctx.published.map((key) => ({ ...key }))
  };
  let defaultHandler;
  const hp = {
    ...operations,
    // The library's API is promises: a synchronous throw becomes a rejection.
    issue: (claims) => promised(() => operations.issue(claims)),
    verify: (token) => promised(() => operations.verify(token)),
    handler: (handlerOptions) => new MessageHandler(operations, handlerOptions),
    handle: (message) => (defaultHandler ??= new MessageHandler(operations)).handle(message)
  };
  return hp;
}

// src/tokens/verifier.ts
async function createVerifier(options) {
  const own = (options.secret === void 0 ? 0 : 1) + (options.keys === void 0 ? 0 : 1);
  if (own > 1 || own === 0 && options.trustedIssuers === void 0) throw new ConfigError("give exactly one of secret and keys (with or without trustedIssuers), or trustedIssuers alone");
  const issuer = checkedText("issuer", options.issuer);
  const trusted = options.trustedIssuers === void 0 ? [] : checkTrustedIssuers(options.trustedIssuers, issuer, "trustedIssuers");
  const ring = options.keys !== void 0 ? new KeyRing(await Promise.all((await checkKeySet(options.keys, "keys")).map((jwk) => ringKey(jwk, options.crypto))), { findByKid: true }) : options.secret !== void 0 ? new KeyRing([await ringKey(secretJwk(parseSecret(options.secret, "secret")), options.crypto)], { findByKid: false }) : (
    // Trusted issuers only: no key of its own, so every other token is unsupported_algorithm.
    new KeyRing([], { findByKid: true })
  );
  const clock = options.clock ?? Date.now;
  const clockTolerance = checkedNumber("clockTolerance", options.clockTolerance);
  const warn = options.onWarning ?? ((message) => console.warn(message));
  const audience = checkedText("audience", options.audience);
  const ctx = {
    // No refresh ring: a refresh token is the wrong type here, whatever its signature.
    keys: new KeySelector(ring, void 0),
    decodeText: options.crypto?.decodeText,
    issuer,
    audience,
    clockTolerance,
    now: () => Math.floor(clock() / 1e3),
    trusted: trustedIssuers(trusted, { fetch: options.fetch, clock, cache: options.jwksCache, log: warn, crypto: options.crypto, clockTolerance, audience, audienceSetting: "audience" })
  };
  return {
    verify: (token) => promised(() => andThen(verifyToken(ctx, token, "access"), (verified) => verified.payload))
  };
}

// src/protocol/environment.ts
var CORE_SETTINGS = ["secret", "refreshSecret", "keys", "signingKid", "accessTtl", "refreshTtl", "issuer", "audience", "clockTolerance", "reuseInterval", "verifyCache", "trustedIssuers"];
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

// src/keys/generate.ts
var RSA_BITS = 2048;
function generateParams(alg) {
  switch (alg) {
    case "RS256":
      return { name: "RSASSA-PKCS1-v1_5", modulusLength: RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
    case "PS256":
      return { name: "RSA-PSS", modulusLength: RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
    case "ES256":
    case "ES384":
      return { name: "ECDSA", namedCurve: ALGORITHMS[alg].crv };
    default:
      return { name: "Ed25519" };
  }
}
async function generateJwk(alg) {
  const spec = ALGORITHMS[alg];
  if (spec.kty === "oct") {
    const secret = crypto.getRandomValues(new Uint8Array(spec.minBytes));
    return { kty: "oct", kid: randomId(), alg, k: encode(secret) };
  }
  const pair = await crypto.subtle.generateKey(generateParams(alg), true, ["sign", "verify"]);
  const { key_ops: _ops, ext: _ext, alg: _alg, ...members } = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = members;
  return { ...members, kid: await thumbprint(publicMembers), alg };
}

// src/keys/pem.ts
var MAX_PEM_LENGTH = 16384;
var KEY_TYPES = {
  // rsaEncryption (RFC 8017 A.1): the one RSA identifier every runtime imports; imported here only
  // to be exported as a JWK, so the hash named is of no consequence.
  "2a864886f70d010101": { name: "RSA", params: () => ({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }), members: ["kty", "n", "e"] },
  // id-ecPublicKey (RFC 5480 §2.1.1), with the curve as its parameter.
  "2a8648ce3d0201": { name: "EC", params: (curve) => ({ name: "ECDSA", namedCurve: curve }), members: ["kty", "crv", "x", "y"] },
  // id-Ed25519 (RFC 8410 §3).
  "2b6570": { name: "Ed25519", params: () => ({ name: "Ed25519" }), members: ["kty", "crv", "x"] }
};
var CURVES = { "2a8648ce3d030107": "P-256", "2b81040022": "P-384" };
var REFUSED = {
  "2a864886f70d01010a": "an RSASSA-PSS-restricted RSA key (id-RSASSA-PSS): export it as a plain RSA public key (rsaEncryption)",
  "2b6571": "an Ed448 key: hallpass verifies Ed25519 only",
  "2b656e": "an X25519 key, which is for key agreement, not signatures",
  "2b656f": "an X448 key, which is for key agreement, not signatures",
  "2a8648ce380401": "a DSA key: hallpass verifies RSA, EC (P-256, P-384) and Ed25519 keys"
};
var REFUSED_CURVES = {
  "2b81040023": "P-521 (ES512)",
  "2b8104000a": "secp256k1 (ES256K)"
};
function hex(bytes) {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
function element(der, offset, limit) {
  if (offset + 2 > limit) return void 0;
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 128) {
    const count = length & 127;
    if (count === 0 || count > 3 || start + count > limit || der[start] === 0) return void 0;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start++];
    if (length < 128) return void 0;
  }
  return start + length > limit ? void 0 : { tag, start, end: start + length };
}
async function pemToJwk(pem, setting = "PEM") {
  const fail = (problem, cause) => {
    throw new ConfigError(`${setting}: ${problem}`, cause === void 0 ? void 0 : { cause });
  };
  if (typeof pem !== "string") return fail("expected the text of a PEM public key");
  if (pem.length > MAX_PEM_LENGTH) fail(`too long for a public key (${pem.length} characters)`);
  const text = pem.trim();
  const begin = /^-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(text);
  if (begin === null) fail("expected a line -----BEGIN PUBLIC KEY-----");
  const label2 = begin[1];
  if (label2 !== "PUBLIC KEY") {
    if (label2.endsWith("PRIVATE KEY")) fail(`this is a private key (${label2}): paste its public key, -----BEGIN PUBLIC KEY----- (openssl pkey -pubout)`);
    if (label2 === "RSA PUBLIC KEY") fail("this is a PKCS#1 RSA PUBLIC KEY: paste it as -----BEGIN PUBLIC KEY----- (openssl rsa -RSAPublicKey_in -pubout)");
    if (label2 === "CERTIFICATE") fail("this is a certificate: paste its public key, -----BEGIN PUBLIC KEY----- (openssl x509 -pubkey -noout)");
    fail(`expected -----BEGIN PUBLIC KEY-----, not ${label2}`);
  }
  const end = text.indexOf("-----END PUBLIC KEY-----");
  if (end === -1) fail("no -----END PUBLIC KEY----- line: the key is cut short");
  if (text.slice(end + "-----END PUBLIC KEY-----".length).trim() !== "") fail("text after -----END PUBLIC KEY-----: paste one key only");
  const body = text.slice(begin[0].length, end).replace(/\s+/g, "");
  if (body.length === 0) fail("nothing between the BEGIN and END lines");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) fail("the text between the BEGIN and END lines is not valid base64 (damaged or cut short)");
  let der;
  try {
    der = decode(body.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"));
  } catch (cause) {
    return fail("the text between the BEGIN and END lines is not valid base64 (damaged or cut short)", cause);
  }
  return spkiToJwk(der, fail);
}
async function spkiToJwk(der, fail) {
  const incomplete = "the key is not a complete SubjectPublicKeyInfo (damaged or cut short)";
  const spki = element(der, 0, der.length);
  if (spki === void 0 || spki.tag !== 48 || spki.end !== der.length) return fail(incomplete);
  const algorithm = element(der, spki.start, spki.end);
  if (algorithm === void 0 || algorithm.tag !== 48) return fail(incomplete);
  const oid = element(der, algorithm.start, algorithm.end);
  if (oid === void 0 || oid.tag !== 6) return fail(incomplete);
  const params = oid.end < algorithm.end ? element(der, oid.end, algorithm.end) : void 0;
  if (oid.end < algorithm.end && (params === void 0 || params.end !== algorithm.end)) return fail(incomplete);
  const key = element(der, algorithm.end, spki.end);
  if (key === void 0 || key.tag !== 3 || key.end !== spki.end) return fail(incomplete);
  const id = hex(der.subarray(oid.start, oid.end));
  const type = KEY_TYPES[id];
  if (type === void 0) return fail(`this is ${REFUSED[id] ?? "a key type hallpass does not verify: RSA, EC (P-256, P-384) and Ed25519 keys only"}`);
  let curve;
  if (type.name === "EC") {
    const named = params !== void 0 && params.tag === 6 ? hex(der.subarray(params.start, params.end)) : "";
    curve = CURVES[named];
    if (curve === void 0) return fail(`this EC key is on ${REFUSED_CURVES[named] ?? "a curve hallpass does not verify"}: ES256 takes P-256 keys, ES384 P-384 keys`);
  }
  let jwk;
  try {
    const imported = await crypto.subtle.importKey("spki", der, type.params(curve), true, ["verify"]);
    jwk = await crypto.subtle.exportKey("jwk", imported);
  } catch (cause) {
    return fail(`the ${type.name} key cannot be imported: it is not a valid key`, cause);
  }
  return Object.fromEntries(type.members.map((member) => [member, jwk[member]]));
}
export {
  ACCESS_TYP,
  ALGORITHMS,
  ConfigError,
  DEFAULTS,
  ERROR_CODES,
  HallpassError,
  JWKS_LIMITS,
  JwksError,
  MAX_JSON_DEPTH,
  MAX_TOKEN_LENGTH,
  MIN_SECRET_BYTES,
  MemoryStore,
  MessageHandler,
  REFRESH_TYP,
  RemoteKeySet,
  RequestError,
  SETTINGS,
  StoreError,
  StoreUnavailableError,
  TOKEN_ERRORS,
  TokenError,
  VerifyOnlyError,
  algorithmNamed,
  applyRotation,
  cacheApiJwksCache,
  checkJwk,
  checkKeySet,
  checkTrustedIssuers,
  createHallpass,
  createVerifier,
  defaultJwksCache,
  describeSettings,
  errorBody,
  fetchJwks,
  generateJwk,
  inspect,
  isSymmetric,
  isUsableMsgId,
  issuedAtMs,
  keyAlgorithms,
  optionsFromEnvironment,
  pemToJwk,
  publicJwk,
  readSetting,
  thumbprint,
  timedId,
  webCrypto
};
