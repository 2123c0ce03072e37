import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

/** The marker, alone on the line right before a fence, that exempts a block from running. */
export const ILLUSTRATIVE = '<!-- illustrative -->'

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** 1-based line of the opening fence. */
  line: number
  /** The info string's first word, lower case (`js`, `ts`, `sh`...), or '' for none. */
  lang: string
  /** The whole info string after the fence (`ts title="x"`). */
  info: string
  /** The block's text, without the fences and the fence's indentation. */
  code: string
  /** `<!-- illustrative -->` is on the line right before the fence. */
  illustrative: boolean
}

export interface MarkdownLink {
  line: number
  target: string
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`]*)$/

/** Every fenced code block in `text`, in order. */
export function codeBlocks (text: string): CodeBlock[] {
  const lines = text.split(/\r?\n/)
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '')
    if (open === null) continue
    const [, indent = '', fence = '', info = ''] = open
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const line = lines[j] ?? ''
      const trimmed = line.trim()
      if (trimmed.startsWith(fence[0]!.repeat(fence.length)) && /^[`~]+$/.test(trimmed) && trimmed[0] === fence[0]) break
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart())
    }
    blocks.push({
      line: i + 1,
      lang: (info.trim().split(/\s+/)[0] ?? '').toLowerCase(),
      info: info.trim(),
      code: body.join('\n') + '\n',
      illustrative: (lines[i - 1] ?? '').trim() === ILLUSTRATIVE
    })
    i = j
  }
  return blocks
}

/** Inline links and reference definitions outside code blocks and code spans. */
export function markdownLinks (text: string): MarkdownLink[] {
  const links: MarkdownLink[] = []
  let inFence: string | undefined
  text.split(/\r?\n/).forEach((line, index) => {
    const fence = FENCE.exec(line)
    if (fence !== null) {
      const marker = fence[2] ?? ''
      if (inFence === undefined) inFence = marker
      else if (marker[0] === inFence[0] && marker.length >= inFence.length && (fence[3] ?? '').trim() === '') inFence = undefined
      return
    }
    if (inFence !== undefined) return
    const prose = line.replace(/`[^`]*`/g, '')
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line: index + 1, target: match[1] ?? '' })
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose)
    if (definition !== null) links.push({ line: index + 1, target: definition[1] ?? '' })
  })
  return links
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'build', 'dist', 'coverage'])

/** Every *.md file under `root`, relative paths, skipping dependencies, build output and dot directories. */
export function markdownFiles (root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) return []
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return markdownFiles(root, path)
    return entry.isFile() && entry.name.endsWith('.md') ? [relative(root, path)] : []
  }).sort()
}
