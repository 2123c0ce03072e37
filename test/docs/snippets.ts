import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { codeBlocks, markdownFiles, type CodeBlock } from '../helpers/markdown'
import { ROOT } from '../helpers/repository'

/** What the snippet test does with a block, by the language of its fence. */
export type SnippetKind = 'javascript' | 'typescript' | 'json' | 'shell' | 'text'

const KINDS: Record<string, SnippetKind> = {
  js: 'javascript',
  javascript: 'javascript',
  cjs: 'javascript',
  mjs: 'javascript',
  node: 'javascript',
  ts: 'typescript',
  typescript: 'typescript',
  json: 'json',
  sh: 'shell',
  bash: 'shell',
  shell: 'shell',
  console: 'shell'
}

/** A code block of a Markdown file of the repository, and what to do with it. */
export interface Snippet extends CodeBlock {
  /** The Markdown file, relative to the root (`packages/core/README.md`). */
  file: string
  kind: SnippetKind
}

/**
 * Every code block of every Markdown file in the repository (READMEs, docs, examples, bench),
 * so a new package's README is covered the day it is added. Blocks marked illustrative and
 * blocks in a language that is not code (text, Logstash configuration, output) are `text`.
 */
export function collectSnippets (root = ROOT): Snippet[] {
  return markdownFiles(root).flatMap((file) => codeBlocks(readFileSync(join(root, file), 'utf8')).map((block) => ({
    ...block,
    file,
    kind: block.illustrative ? 'text' : KINDS[block.lang] ?? 'text'
  })))
}

/** ES module syntax at the start of a line: such a JavaScript block runs as an .mjs file. */
export function isEsModule (code: string): boolean {
  return /^\s*(import\s[^(]|export\s)/m.test(code)
}

/**
 * The routes a snippet's server offers that the test requests once it listens: each
 * `.get('/path')` (Express, Fastify), with `:params` filled in. A server without one is
 * asked for `/`.
 */
export function snippetRoutes (code: string): string[] {
  const routes = new Set<string>()
  for (const match of code.matchAll(/\.get(?:<[^>]*>)?\(\s*(['"`])(\/[^'"`]*)\1/g)) {
    routes.add(`GET ${(match[2] ?? '/').replace(/:\w+/g, '42')}`)
  }
  return [...routes]
}

/** A snippet that configures `tls` talks to receivers that speak TLS. */
export function usesTls (code: string): boolean {
  return /\btls\s*:/.test(code)
}

/**
 * The file a TypeScript block is, when its first line names it (`// app.module.ts`), so
 * that blocks of one page can import each other as the page shows.
 */
export function typescriptFileName (snippet: Snippet): string {
  const named = /^\/\/\s*([\w.-]+\.ts)\s*$/.exec(snippet.code.split('\n')[0] ?? '')
  return named?.[1] ?? `line-${snippet.line}.ts`
}

/** The TypeScript blocks of one page that no other block of the page imports: the programs to run. */
export function typescriptEntries (snippets: readonly Snippet[]): Snippet[] {
  const imported = new Set<string>()
  for (const snippet of snippets) {
    for (const match of snippet.code.matchAll(/from\s+['"]\.\/([\w.-]+)['"]/g)) imported.add(`${(match[1] ?? '').replace(/\.(js|ts)$/, '')}.ts`)
  }
  return snippets.filter((snippet) => !imported.has(typescriptFileName(snippet)))
}

/** A path for a page's generated files: `packages/core/README.md` → `packages-core-README`. */
export function slug (file: string): string {
  return file.replace(/\.md$/, '').replace(/[^\w.-]+/g, '-')
}
