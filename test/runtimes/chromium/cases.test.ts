// The core cases in headless Chromium (the `runtime-chromium` vitest project, browser mode).
import { registerCases } from '../register.ts'

registerCases('chromium', () => typeof document !== 'undefined' && /Chrome\//.test(navigator.userAgent))
