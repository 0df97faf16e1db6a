import { h } from './dom';

/*
 * A small, safe markdown renderer for Claude's answers. It never parses HTML: the input becomes a
 * tree of these elements and text only — h1–h6, p, pre, code, ul, ol, li, em, strong, a (http/https
 * only) — and the tree becomes DOM nodes through `h()`, every piece of text a text node. Links carry
 * only an `href`; code blocks only a `class="language-…"` made of [\w+-].
 */

/** Elements the renderer can produce; tests check the output against this list. */
export const MARKDOWN_ELEMENTS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'pre', 'code', 'ul', 'ol', 'li', 'em', 'strong', 'a'] as const;
export type MarkdownTag = (typeof MARKDOWN_ELEMENTS)[number];

/** Text, or an element with its only possible attributes: a link's safe `href`, a code block's language. */
export type MarkdownNode = string | MarkdownElement;
export interface MarkdownElement {
  readonly tag: MarkdownTag;
  readonly href?: string;
  readonly language?: string;
  readonly children: readonly MarkdownNode[];
}

const MAX_BLOCK_DEPTH = 6;
const MAX_INLINE_DEPTH = 6;

function el(tag: MarkdownTag, children: readonly MarkdownNode[], attrs: { href?: string; language?: string } = {}): MarkdownElement {
  return { tag, ...attrs, children };
}

/** The URL if it is an absolute http(s) URL, else undefined (`javascript:`, `data:`, relative…). */
export function safeHref(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (!/^https?:\/\//i.test(trimmed)) {
    return undefined;
  }
  try {
    const url = new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Parses markdown into the element tree (no DOM: unit-tested in plain Node). */
export function parseMarkdown(source: string): MarkdownNode[] {
  return renderBlocks(source.replace(/\r\n?/g, '\n').split('\n'), 0);
}

/** The markdown as DOM nodes (and text) built with `h()`, ready to append. */
export function renderMarkdown(source: string): (Node | string)[] {
  return parseMarkdown(source).map(toDom);
}

function toDom(node: MarkdownNode): Node | string {
  if (typeof node === 'string') return node;
  const attrs =
    node.href !== undefined ? { href: node.href } : node.language !== undefined ? { className: `language-${node.language}` } : {};
  return h(node.tag, attrs, ...node.children.map(toDom));
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const LIST_ITEM = /^( *)([-*+]|\d{1,9}[.)])\s+(.*)$/;

function renderBlocks(lines: string[], depth: number): MarkdownNode[] {
  if (depth > MAX_BLOCK_DEPTH) {
    return [el('p', [lines.join('\n')])];
  }
  const out: MarkdownNode[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) {
      out.push(el('p', renderInline(paragraph.join('\n'), 0)));
      paragraph = [];
    }
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith(marker)) {
        body.push(lines[i]!);
        i++;
      }
      i++; // the closing fence (or the end)
      out.push(el('pre', [el('code', [body.join('\n')], fence[2] ? { language: fence[2] } : {})]));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      out.push(el(`h${level}` as MarkdownTag, renderInline(heading[2] ?? '', 0)));
      i++;
      continue;
    }
    if (LIST_ITEM.test(line)) {
      flush();
      i = renderList(lines, i, depth, out);
      continue;
    }
    if (line.trim() === '') {
      flush();
    } else {
      paragraph.push(line.trim());
    }
    i++;
  }
  flush();
  return out;
}

/** Renders the list starting at `lines[start]`; returns the index after it. */
function renderList(lines: string[], start: number, depth: number, out: MarkdownNode[]): number {
  const first = LIST_ITEM.exec(lines[start]!)!;
  const indent = first[1]!.length;
  const ordered = /\d/.test(first[2]![0]!);
  const items: MarkdownNode[] = [];
  let i = start;
  while (i < lines.length) {
    const item = LIST_ITEM.exec(lines[i]!);
    if (!item || item[1]!.length !== indent || /\d/.test(item[2]![0]!) !== ordered) {
      break;
    }
    const contentIndent = indent + item[2]!.length + 1;
    const body = [item[3]!];
    i++;
    // Lines that belong to this item: indented deeper than its marker, or blank lines followed by such.
    while (i < lines.length) {
      const next = lines[i]!;
      if (next.trim() === '') {
        const following = lines[i + 1];
        if (following !== undefined && leadingSpaces(following) > indent && following.trim() !== '') {
          body.push('');
          i++;
          continue;
        }
        break;
      }
      if (leadingSpaces(next) > indent) {
        body.push(next.slice(Math.min(leadingSpaces(next), contentIndent)));
        i++;
        continue;
      }
      if (!LIST_ITEM.test(next) && !FENCE.test(next) && !HEADING.test(next)) {
        body.push(next.trim()); // lazy continuation of the item's text
        i++;
        continue;
      }
      break;
    }
    items.push(el('li', renderItemBody(body, depth + 1)));
    // A blank line between items of the same list does not end it.
    if (i < lines.length && lines[i]!.trim() === '' && i + 1 < lines.length) {
      const after = LIST_ITEM.exec(lines[i + 1]!);
      if (after && after[1]!.length === indent) {
        i++;
      }
    }
  }
  out.push(el(ordered ? 'ol' : 'ul', items));
  return i;
}

/** A tight item (one paragraph) renders inline, without `<p>`. */
function renderItemBody(body: string[], depth: number): readonly MarkdownNode[] {
  const blocks = renderBlocks(body, depth);
  const single = blocks.length === 1 ? blocks[0]! : undefined;
  return single !== undefined && typeof single !== 'string' && single.tag === 'p' ? single.children : blocks;
}

function leadingSpaces(line: string): number {
  return line.length - line.trimStart().length;
}

const ESCAPABLE = /[\\`*_{}[\]()<>#+\-.!~|]/;
const WORD = /[\p{L}\p{N}]/u;

function renderInline(src: string, depth: number): MarkdownNode[] {
  if (depth > MAX_INLINE_DEPTH) {
    return [src];
  }
  const out: MarkdownNode[] = [];
  let text = '';
  /** Ends the pending text and appends `nodes` after it. */
  const emit = (...nodes: readonly MarkdownNode[]) => {
    if (text) out.push(text);
    out.push(...nodes);
    text = '';
  };
  // Delimiters proven to have no closer after some position never have one later: skip rescans.
  const noCloser = new Set<string>();
  const findCloser = (delimiter: string, from: number): number => {
    if (noCloser.has(delimiter)) {
      return -1;
    }
    const at = src.indexOf(delimiter, from);
    if (at < 0) {
      noCloser.add(delimiter);
    }
    return at;
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length && ESCAPABLE.test(src[i + 1]!)) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      text += '\n';
      i++;
      continue;
    }
    if (c === '`') {
      let n = 1;
      while (src[i + n] === '`') n++;
      const ticks = '`'.repeat(n);
      const close = findCloser(ticks, i + n);
      if (close >= 0) {
        let code = src.slice(i + n, close);
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
        emit(el('code', [code]));
        i = close + n;
        continue;
      }
      text += ticks;
      i += n;
      continue;
    }
    if (c === '*' || c === '_') {
      const double = src[i + 1] === c;
      const delimiter = double ? c + c : c;
      const intraword = c === '_' && i > 0 && WORD.test(src[i - 1]!);
      const opensOnText = i + delimiter.length < src.length && !/\s/.test(src[i + delimiter.length]!);
      if (!intraword && opensOnText) {
        const close = findEmphasisCloser(src, delimiter, i + delimiter.length, findCloser);
        if (close > i + delimiter.length) {
          const inner = renderInline(src.slice(i + delimiter.length, close), depth + 1);
          emit(el(double ? 'strong' : 'em', inner));
          i = close + delimiter.length;
          continue;
        }
      }
      text += delimiter;
      i += delimiter.length;
      continue;
    }
    if (c === '[') {
      const link = parseLink(src, i);
      if (link) {
        const href = safeHref(link.url);
        const label = renderInline(link.label, depth + 1);
        if (href) emit(el('a', label, { href }));
        else emit(...label);
        i = link.end;
        continue;
      }
    }
    if (c === '<') {
      const auto = /^<(https?:\/\/[^\s<>]+)>/i.exec(src.slice(i, i + 2_048));
      const href = auto ? safeHref(auto[1]!) : undefined;
      if (auto && href) {
        emit(el('a', [auto[1]!], { href }));
        i += auto[0].length;
        continue;
      }
    }
    text += c;
    i++;
  }
  emit();
  return out;
}

/** A closing delimiter must follow non-space and, for `_`, not be followed by a word character. */
function findEmphasisCloser(src: string, delimiter: string, from: number, findCloser: (d: string, from: number) => number): number {
  let at = findCloser(delimiter, from);
  let guard = 0;
  while (at >= 0 && guard++ < 64) {
    const before = src[at - 1]!;
    const after = src[at + delimiter.length];
    const doubledSingle = delimiter.length === 1 && after === delimiter; // `*a**` is not `*a*` + `*`
    const wordAfter = delimiter[0] === '_' && after !== undefined && WORD.test(after);
    if (!/\s/.test(before) && !doubledSingle && !wordAfter) {
      return at;
    }
    at = src.indexOf(delimiter, at + (doubledSingle ? 2 : 1));
  }
  return -1;
}

/** `[label](url)` with balanced brackets in the label and no whitespace in the url. */
function parseLink(src: string, start: number): { label: string; url: string; end: number } | undefined {
  let depth = 0;
  let i = start;
  const limit = Math.min(src.length, start + 2_048);
  for (; i < limit; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      depth++;
    } else if (c === ']' && --depth === 0) {
      break;
    }
  }
  if (depth !== 0 || src[i + 1] !== '(') {
    return undefined;
  }
  const target = /^\(\s*([^\s()<>]*)(?:\s+"[^"]*")?\s*\)/.exec(src.slice(i + 1, i + 2_049));
  if (!target) {
    return undefined;
  }
  return { label: src.slice(start + 1, i), url: target[1]!, end: i + 1 + target[0].length };
}
