// Vitest globalSetup of the worker project: the inspector's copy of the core
// (inspector/public/hallpass.js, generated, not in git) bundled from this checkout's src/ before
// workerd serves inspector/public as the Worker's static assets, so `vitest run --project worker`
// works without `npm run build` and never serves a stale core.
import { buildInspectorBundle } from '../../scripts/build-inspector.ts'

export default async function setup(): Promise<void> {
  await buildInspectorBundle()
}
