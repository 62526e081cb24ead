// The core stays pure: nothing under src/ (except src/node/, the Node entry) imports a Node module
// or touches a Node global, and the core bundles for esbuild's `neutral` platform, which knows no
// Node built-in. This is what lets one core run unchanged in Node, workerd, browsers and Deno.
import { build } from 'esbuild'
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SRC = join(ROOT, 'src')
const NODE_GLOBALS = new Set(['process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'module', 'exports', 'setImmediate', 'clearImmediate'])
const NODE_BUILTINS = new Set(builtinModules)

/** The core's source files: src/**\/*.ts without src/node/. */
function coreFiles(): string[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(SRC, file).startsWith(`node${'/'}`))
}

function isNodeModule(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]!)
}

/** Every Node import and every reference to a Node global in `source`, as "line: what". */
export function nodeUses(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const found: string[] = []
  const at = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (isNodeModule(node.moduleSpecifier.text)) found.push(`${at(node)}: imports ${node.moduleSpecifier.text}`)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments
      if (arg && ts.isStringLiteralLike(arg) && isNodeModule(arg.text)) found.push(`${at(node)}: imports ${arg.text}`)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal) && isNodeModule(node.argument.literal.text)) {
      found.push(`${at(node)}: imports ${node.argument.literal.text}`)
    } else if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text) && isReference(node)) {
      found.push(`${at(node)}: uses ${node.text}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

/** True when the identifier reads a variable (not a property name, a key or a declaration's name). */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false
  if (ts.isQualifiedName(parent) && parent.right === node) return false
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent) || ts.isEnumMember(parent)) && parent.name === node) return false
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false
  if ((ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) && parent.propertyName === node) return false
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false
  return true
}

describe('the core stays pure', () => {
  it('finds Node imports and globals where they are (the checker itself works)', () => {
    const uses = nodeUses('probe.ts', [
      "import { readFileSync } from 'node:fs'",
      "import path from 'path'",
      "export * from 'node:crypto'",
      "const os = await import('os')",
      'const env = process.env',
      "const bytes = Buffer.from('x')",
      "const lib = require('x')",
      'const here = __dirname',
      'global.x = 1',
      'type T = import("node:stream").Readable',
      // not Node uses: properties, keys, strings, comments, globalThis
      'const o = { process: 1, Buffer: 2 }; o.process; o.require',
      "const s = 'process Buffer require'; // process.env",
      'globalThis.crypto',
    ].join('\n'))
    expect(uses).toEqual([
      '1: imports node:fs', '2: imports path', '3: imports node:crypto', '4: imports os', '5: uses process',
      '6: uses Buffer', '7: uses require', '8: uses __dirname', '9: uses global', '10: imports node:stream',
    ])
  })

  it('no file under src/ but src/node/ imports a Node module or uses a Node global', () => {
    const files = coreFiles()
    expect(files.length).toBeGreaterThan(10)
    const found = files.flatMap((file) => nodeUses(file, readFileSync(file, 'utf8')).map((use) => `${relative(ROOT, file)}:${use}`))
    expect(found).toEqual([])
  })

  it('the runtime-neutral cases are neutral too (they run in Deno, workerd and Chromium)', () => {
    const files = ['test/runtimes/cases.ts', 'test/runtimes/assert.ts', 'test/support/forge.ts', 'test/protocol/match.ts'].map((file) => join(ROOT, file))
    const found = files.flatMap((file) => nodeUses(file, readFileSync(file, 'utf8')).map((use) => `${relative(ROOT, file)}:${use}`))
    expect(found).toEqual([])
    expect(readFileSync(files[0]!, 'utf8')).not.toMatch(/from ['"]vitest['"]/)
  })

  it('bundles for esbuild platform "neutral" with nothing external but hono', async () => {
    const result = await build({
      entryPoints: [join(SRC, 'index.ts'), join(SRC, 'hono.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      outdir: '/virtual',
      external: ['hono', 'hono/*'],
      logLevel: 'silent',
      metafile: true,
    })
    expect(result.errors).toEqual([])
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((input) => input.includes('src/node/'))).toBe(false)
    for (const output of result.outputFiles) {
      expect(output.text).not.toMatch(/from\s*["'](node:|fs|path|crypto|buffer|process)["']/)
      expect(output.text).not.toMatch(/\brequire\(/)
    }
    const kib = (result.outputFiles[0]!.contents.byteLength / 1024).toFixed(1)
    console.info(`core bundled for platform neutral: ${inputs.length} modules, index ${kib} KiB`)
  })
})
