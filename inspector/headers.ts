// The inspector's response headers, the same from the local server (serve.ts) and the edge worker
// (worker/app.ts): the page may load its own scripts and styles and nothing else, and may not
// connect anywhere, so a pasted token or secret cannot leave it.
export const INSPECTOR_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

export const INSPECTOR_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': INSPECTOR_CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), clipboard-read=()',
}
