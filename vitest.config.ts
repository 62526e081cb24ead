import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import { CHROMIUM } from './test/runtimes/chromium-launch.ts'

/** Test-only credentials of the edge worker's workerd projects (never used anywhere else). */
const WORKER_TEST_BINDINGS = {
  HALLPASS_SECRET: 'test-secret-that-is-at-least-32-bytes-long!',
  HALLPASS_ISSUER_KEY: 'test-issuer-key-that-is-at-least-32-bytes',
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/core/**/*.test.ts', 'test/store/**/*.test.ts', 'test/node/**/*.test.ts', 'test/worker-build/**/*.test.ts', 'test/runtimes/*.test.ts', 'test/examples/*.test.ts', 'test/inspector/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        // The edge worker inside workerd (wrangler.toml: Durable Objects, RPC entrypoint).
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings: WORKER_TEST_BINDINGS } })],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          // The trusted-issuer tests' JWKS server, on 127.0.0.1 (test/support/jwks-server.ts), and the
          // inspector's core bundle, which the Worker serves as a static asset (never in git).
          globalSetup: ['test/support/jwks-global-setup.ts', 'test/support/inspector-global-setup.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        // examples/protected-api: a Worker of its own, protected by the hallpass/hono middleware.
        plugins: [cloudflareTest({ wrangler: { configPath: './examples/protected-api/wrangler.toml' }, miniflare: { bindings: { HALLPASS_SECRET: WORKER_TEST_BINDINGS.HALLPASS_SECRET } } })],
        test: {
          name: 'protected-api',
          include: ['examples/protected-api/test/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        // test/runtimes: the core's runtime-neutral cases inside workerd (the worker's own config).
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings: WORKER_TEST_BINDINGS } })],
        test: {
          name: 'runtime-workerd',
          include: ['test/runtimes/workerd/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        // test/runtimes: the core's cases in headless Chromium (Vitest browser mode), and the browser
        // example against the built package. Offline: only the local Vite server is contacted.
        resolve: { alias: { hallpass: new URL('./dist/index.js', import.meta.url).pathname } },
        test: {
          name: 'runtime-chromium',
          include: ['test/runtimes/chromium/**/*.test.ts', 'test/examples/browser/**/*.test.ts'],
          testTimeout: 20_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: CHROMIUM }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
})
