export interface DemoResult {
  sub: unknown
  header: Record<string, unknown>
  expires_in: number
  rotated: boolean
  reuse: string
}
export function demo(secret?: string): Promise<DemoResult>
export function render(element: Element): Promise<DemoResult>
