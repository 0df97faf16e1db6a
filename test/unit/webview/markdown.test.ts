import { strict as assert } from 'node:assert';
import { MARKDOWN_ELEMENTS, parseMarkdown, renderMarkdown, safeHref, type MarkdownNode } from '../../../src/webview/markdown';

/*
 * The renderer builds nodes, not HTML. These tests serialise the tree it produces (text escaped
 * as the string renderer before it did) and make the same assertions on that text as when the
 * renderer returned an HTML string; the last ones check that the DOM built from the tree with
 * `h()` is that same tree.
 */

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The markdown tree as HTML text: only for the assertions below. */
function toHtml(nodes: readonly MarkdownNode[]): string {
  return nodes
    .map((node) => {
      if (typeof node === 'string') return escapeText(node);
      const href = node.href !== undefined ? ` href="${escapeText(node.href)}"` : '';
      const lang = node.language !== undefined ? ` class="language-${node.language}"` : '';
      return `<${node.tag}${href}${lang}>${toHtml(node.children)}</${node.tag}>`;
    })
    .join('');
}

function render(source: string): string {
  return toHtml(parseMarkdown(source));
}

/** Every tag in the output must be a whitelisted element, and only `a` and `code` carry attributes. */
function assertSafe(html: string): void {
  const tags = html.match(/<[^>]*>/g) ?? [];
  for (const tag of tags) {
    const m = /^<\/?([a-z0-9]+)((?:\s[^>]*)?)>$/.exec(tag);
    assert.ok(m, `malformed tag ${tag}`);
    assert.ok((MARKDOWN_ELEMENTS as readonly string[]).includes(m[1]!), `element ${m[1]} is not allowed: ${tag}`);
    const attrs = m[2]!.trim();
    if (attrs) {
      assert.ok(
        (m[1] === 'a' && /^href="https?:\/\/[^"<>]*"$/.test(attrs)) || (m[1] === 'code' && /^class="language-[\w+-]+"$/.test(attrs)),
        `attribute not allowed: ${tag}`,
      );
    }
  }
  assert.ok(!/<(?!\/?(?:h[1-6]|p|pre|code|ul|ol|li|em|strong|a)\b)/.test(html), 'no other element starts');
}

describe('markdown', () => {
  it('renders the supported elements', () => {
    const html = render(
      '# Title\n\nSome *em*, **strong**, `code` and a [link](https://example.com/a?b=1&c=2).\n\n- one\n- two\n\n1. first\n2. second\n\n```ts\nconst a = 1 < 2;\n```',
    );
    assert.equal(
      html,
      '<h1>Title</h1>' +
        '<p>Some <em>em</em>, <strong>strong</strong>, <code>code</code> and a <a href="https://example.com/a?b=1&#38;c=2">link</a>.</p>' +
        '<ul><li>one</li><li>two</li></ul>' +
        '<ol><li>first</li><li>second</li></ol>' +
        '<pre><code class="language-ts">const a = 1 &#60; 2;</code></pre>',
    );
    assertSafe(html);
  });

  it('nests lists by indentation', () => {
    const html = render('- a\n  - b\n  - c\n- d');
    assert.equal(html, '<ul><li><p>a</p><ul><li>b</li><li>c</li></ul></li><li>d</li></ul>');
  });

  it('escapes raw HTML instead of rendering it', () => {
    const html = render('<img src=x onerror="alert(1)"> <script>alert(1)</script> <iframe src="https://evil.test"></iframe>');
    assert.ok(html.includes('&#60;img src=x onerror=&#34;alert(1)&#34;&#62;'));
    assert.ok(!html.includes('<img') && !html.includes('<script') && !html.includes('<iframe'));
    assertSafe(html);
  });

  it('never links javascript:, data:, vbscript:, file: or relative URLs', () => {
    for (const url of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      'file:///etc/passwd',
      '/relative',
      '//evil.test/x',
      'java\tscript:alert(1)',
    ]) {
      const html = render(`[click](${url})`);
      assert.ok(!html.includes('<a'), `${JSON.stringify(url)} became a link: ${html}`);
      assertSafe(html);
    }
    assert.equal(safeHref('javascript:alert(1)'), undefined);
    assert.equal(safeHref('https://example.com'), 'https://example.com/');
  });

  it('keeps quotes and angle brackets in link targets from breaking out of the attribute', () => {
    const html = render('[x](https://example.com/"onmouseover="alert(1)) <https://example.com/"><img>');
    assertSafe(html);
    assert.ok(!/href="[^"]*"[^>]*onmouseover/.test(html));
  });

  it('escapes HTML inside code, headings, emphasis, lists and link labels', () => {
    const html = render(
      '# <b>h</b>\n\n*<i>em</i>*\n\n- <svg onload=alert(1)>\n\n[<img src=x>](https://example.com)\n\n`<script>`\n\n```\n</code></pre><script>alert(1)</script>\n```',
    );
    assertSafe(html);
    assert.ok(!/<(b|i|svg|img|script)[\s>]/.test(html));
  });

  it('drops an unsafe fence language', () => {
    const html = render('```"><script>\nx\n```');
    assertSafe(html);
  });

  it('treats snake_case as text, not emphasis', () => {
    assert.equal(render('call my_long_function_name now'), '<p>call my_long_function_name now</p>');
  });

  it('honours backslash escapes', () => {
    assert.equal(render('\\*not em\\* and \\<b>'), '<p>*not em* and &#60;b&#62;</p>');
  });

  it('copes with hostile nesting and unclosed delimiters quickly', () => {
    const started = Date.now();
    for (const input of [
      '['.repeat(20_000),
      '*'.repeat(20_000),
      '**a '.repeat(10_000),
      '`'.repeat(10_000),
      '- '.repeat(5_000),
      '  '.repeat(1000) + '- x',
      '[a]('.repeat(5_000),
    ]) {
      assertSafe(render(input));
    }
    let nested = 'x';
    for (let i = 0; i < 200; i++) nested = `*_[${nested}](https://e.test)_*`;
    assertSafe(render(nested));
    let deepList = '';
    for (let i = 0; i < 100; i++) deepList += `${'  '.repeat(i)}- level ${i}\n`;
    assertSafe(render(deepList));
    // Catastrophic backtracking takes minutes; 10 s leaves room for a loaded CI machine.
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  describe('as DOM nodes (built with h())', () => {
    /** The least of a DOM that `h()` uses: elements with a class, attributes and children; text nodes. */
    class FakeText {
      constructor(readonly data: string) {}
    }
    class FakeElement {
      className = '';
      readonly attributes = new Map<string, string>();
      readonly childNodes: (FakeElement | FakeText)[] = [];
      constructor(readonly tagName: string) {}
      setAttribute(name: string, value: string): void {
        this.attributes.set(name, value);
      }
      append(...nodes: (FakeElement | FakeText | string)[]): void {
        for (const node of nodes) this.childNodes.push(typeof node === 'string' ? new FakeText(node) : node);
      }
    }
    const serialise = (node: FakeElement | FakeText | string): string => {
      if (typeof node === 'string') return escapeText(node);
      if (node instanceof FakeText) return escapeText(node.data);
      const attrs = [...node.attributes].map(([name, value]) => ` ${name}="${escapeText(value)}"`).join('');
      const cls = node.className ? ` class="${node.className}"` : '';
      return `<${node.tagName}${attrs}${cls}>${node.childNodes.map(serialise).join('')}</${node.tagName}>`;
    };
    const saved = (globalThis as { document?: unknown }).document;
    before(() => {
      (globalThis as { document?: unknown }).document = { createElement: (tag: string) => new FakeElement(tag) };
    });
    after(() => {
      (globalThis as { document?: unknown }).document = saved;
    });

    it('builds exactly the parsed tree: elements, text nodes and the two allowed attributes', () => {
      const samples = [
        '# Title\n\nSome *em*, **strong**, `code` and a [link](https://example.com/a?b=1&c=2).\n\n- one\n- two\n\n1. first\n2. second\n\n```ts\nconst a = 1 < 2;\n```',
        '<img src=x onerror="alert(1)"> [x](https://example.com/"onmouseover="alert(1)) <https://example.com/"><img>',
        '# <b>h</b>\n\n*<i>em</i>*\n\n- <svg onload=alert(1)>\n\n[<img src=x>](https://example.com)\n\n`<script>`\n\n```\n</code></pre><script>alert(1)</script>\n```',
      ];
      for (const source of samples) {
        const html = (renderMarkdown(source) as unknown as (FakeElement | string)[]).map(serialise).join('');
        assert.equal(html, render(source));
        assertSafe(html);
      }
    });

    it('puts markup from the input only into text nodes', () => {
      const [p] = renderMarkdown('<script>alert(1)</script>') as unknown as FakeElement[];
      assert.equal(p!.tagName, 'p');
      assert.deepEqual(p!.childNodes, [new FakeText('<script>alert(1)</script>')]);
    });
  });
});
