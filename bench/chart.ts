// A horizontal bar chart (SVG, no dependencies) of verify cost per implementation: a panel per
// runtime (Node, workerd) and algorithm.
import type { Row } from './node-core.ts'

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function chart(node: Row[], workerd: Row[]): string {
  const algs = [...new Set([...node, ...workerd].map((r) => r.alg))]
  const panels = [
    ...algs.map((alg) => ({ title: `Node 22, ${alg}: µs per verify (distinct tokens)`, rows: node.filter((r) => r.alg === alg && r.group === 'verify') })),
    ...algs.map((alg) => ({ title: `workerd, ${alg}: µs per verify`, rows: workerd.filter((r) => r.alg === alg && r.group === 'verify') })),
  ].filter((panel) => panel.rows.length > 0)
  const width = 820
  const labelWidth = 300
  const barHeight = 20
  const gap = 6
  let y = 20
  const parts: string[] = []
  for (const panel of panels) {
    const max = Math.max(...panel.rows.map((r) => r.ns))
    parts.push(`<text x="10" y="${y}" font-weight="bold">${escape(panel.title)}</text>`)
    y += 12
    for (const row of [...panel.rows].sort((a, b) => a.ns - b.ns)) {
      const length = Math.max(2, ((width - labelWidth - 90) * row.ns) / max)
      const color = row.name.startsWith('hallpass') ? '#2f6fdf' : row.name.startsWith('limit') ? '#9aa5b1' : '#e0a030'
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(row.name)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${color}"/>`,
        `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 15}">${(row.ns / 1000).toFixed(2)} µs</text>`,
      )
      y += barHeight + gap
    }
    y += 24
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`
}
