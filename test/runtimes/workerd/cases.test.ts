// The core cases inside workerd (the `runtime-workerd` vitest project, @cloudflare/vitest-plugin).
import { registerCases } from '../register.ts'

registerCases('workerd', () => navigator.userAgent === 'Cloudflare-Workers')
