import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { TIMELINE_STRINGS, USAGE_STRINGS } from '../../../src/protocol/webviewStrings';

/*
 * Every user-facing string of the extension's VS Code side goes through `vscode.l10n.t(...)`, so that
 * `npm run l10n:export` puts it in l10n/bundle.l10n.json and a translation can replace it. This test
 * reads src/vscode/**.ts and src/extension.ts with the TypeScript compiler and fails on an English
 * literal where the person sees it: a message of `window.show*Message` (and its buttons), a status
 * bar message, an error shown as is (`UserFacingError`), a webview panel's title, a tree item's label,
 * or a `title`, `prompt`, `placeHolder`, `label`, `tooltip`, `detail`, `description`, `message` or
 * `text` of a quick pick, input box, tree item, status bar item or the like (set in an object literal
 * or assigned), and what a `validateInput` returns.
 *
 * The webviews (src/webview) show only the strings the extension sends them (src/protocol/webviewStrings.ts,
 * translated in src/vscode/{timeline,usage}/*Strings.ts): the same scan fails on an English literal
 * among the children of `h(…)`/`svg(…)` or in a `title`, `aria-label` or `placeholder` there.
 */

const root = resolve(__dirname, '../../..');

/** Where a side of the extension shows text: calls whose arguments from an index on are shown, and properties. */
interface ShownPlaces {
  /** Callee name → index of the first shown argument. */
  readonly argumentsFrom: ReadonlyMap<string, number>;
  /** Callee name → index of the one shown argument. */
  readonly argumentAt: ReadonlyMap<string, number>;
  /** Properties (in object literals, or assigned) that the person reads. */
  readonly properties: ReadonlySet<string>;
}

/** Calls whose string arguments are all shown (messages and their buttons). */
const SHOWN_ARGUMENTS = new Set([
  'showInformationMessage',
  'showWarningMessage',
  'showErrorMessage',
  'setStatusBarMessage',
  'appendMarkdown',
  'appendText',
  // workspaceTrust.ts: what is refused, and why, in its warning.
  'ensureTrusted',
]);
/** Calls and constructors whose argument at this index is shown. */
const SHOWN_ARGUMENT_AT: ReadonlyMap<string, number> = new Map([
  ['UserFacingError', 0],
  ['TreeItem', 0],
  ['MarkdownString', 0],
  ['createWebviewPanel', 1],
]);
/** Properties (in object literals, or assigned) that the person reads. */
const SHOWN_PROPERTIES = new Set([
  'title',
  'prompt',
  'placeHolder',
  'placeholder',
  'label',
  'tooltip',
  'detail',
  'description',
  'message',
  'validationMessage',
  'text',
  'buttonLabel',
  'openLabel',
  'saveLabel',
]);

const VSCODE_SIDE: ShownPlaces = {
  argumentsFrom: new Map([...SHOWN_ARGUMENTS].map((name) => [name, 0])),
  argumentAt: SHOWN_ARGUMENT_AT,
  properties: SHOWN_PROPERTIES,
};

/** The webviews: the children of `h(tag, props, …children)` and `svg(tag, attributes, …children)`, and what the DOM shows of an element. */
const WEBVIEW_SIDE: ShownPlaces = {
  argumentsFrom: new Map([
    ['h', 2],
    ['svg', 2],
  ]),
  argumentAt: new Map(),
  properties: new Set(['title', 'aria-label', 'aria-description', 'placeholder', 'alt', 'textContent', 'innerText']),
};

/**
 * Literals that are not user-facing, by file. Keep it short: each names what the string is. A
 * literal made only of codicons (`$(sync~spin)`), digits and punctuation is never flagged.
 */
const ALLOWED: readonly { file: string; text: string; why: string }[] = [
  { file: 'src/vscode/commands/runCommands.ts', text: 'manual', why: "the mode's id, as settings, workflows and the CLI spell it" },
  { file: 'src/vscode/commands/runCommands.ts', text: 'agentic', why: "the mode's id, as settings, workflows and the CLI spell it" },
  { file: 'src/vscode/commands/runCommands.ts', text: 'npm test', why: 'an example command line' },
  { file: 'src/vscode/commands/tagCommands.ts', text: 'release, ui', why: 'example tags, as typed' },
  {
    file: 'src/vscode/teamLedger/teamCommands.ts',
    text: 'postgresql://user:password@host:5432/database?sslmode=verify-full',
    why: 'an example connection string',
  },
];

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly where: string;
  readonly text: string;
}

/** Whether a piece of literal text reads as words: letters left once codicons (`$(name)`, `$(name~spin)`) are taken out. */
function hasWords(text: string): boolean {
  return /\p{L}/u.test(text.replace(/\$\([\w~-]+\)/g, ''));
}

function isL10nCall(node: ts.Node): boolean {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 't' && /(^|\.)l10n$/.test(callee.expression.getText());
}

/** The English literal text `node` evaluates to without l10n.t, if any (conditionals, `??`, `||` and `+` looked into). */
function englishIn(node: ts.Expression): string[] {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) return englishIn(node.expression);
  if (isL10nCall(node)) return [];
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return hasWords(node.text) ? [node.text] : [];
  if (ts.isTemplateExpression(node)) {
    const text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('{}');
    return [...(hasWords(text) ? [node.getText()] : []), ...node.templateSpans.flatMap((s) => englishIn(s.expression))];
  }
  if (ts.isConditionalExpression(node)) return [...englishIn(node.whenTrue), ...englishIn(node.whenFalse)];
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.CommaToken) return englishIn(node.right);
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) return englishIn(node.right);
    if (op === ts.SyntaxKind.PlusToken) return [...englishIn(node.left), ...englishIn(node.right)];
  }
  if (ts.isArrayLiteralExpression(node)) return node.elements.flatMap((e) => (ts.isExpression(e) ? englishIn(e) : []));
  return [];
}

/** What a function returns that is English literal text (a `validateInput`). */
function englishReturned(fn: ts.Expression): string[] {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return [];
  if (!ts.isBlock(fn.body)) return englishIn(fn.body);
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && n !== fn) return;
    if (ts.isReturnStatement(n) && n.expression) found.push(...englishIn(n.expression));
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return found;
}

function calleeName(node: ts.CallExpression | ts.NewExpression): string | undefined {
  const e = node.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** The hard-coded user-facing strings of one source file. */
export function findHardcodedStrings(file: string, source: string, places: ShownPlaces = VSCODE_SIDE): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, where: string, texts: string[]) => {
    for (const text of texts) {
      if (ALLOWED.some((a) => a.file === file && a.text === text)) continue;
      findings.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, where, text });
    }
  };
  const visit = (node: ts.Node): void => {
    if (isL10nCall(node)) return;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node);
      const args = node.arguments ?? [];
      const from = name === undefined ? undefined : places.argumentsFrom.get(name);
      const at = name === undefined ? undefined : places.argumentAt.get(name);
      if (from !== undefined) {
        args.slice(from).forEach((a) => report(a, `${name}(…)`, englishIn(a)));
      } else if (at !== undefined && args[at]) {
        report(args[at], `${name}(…)`, englishIn(args[at]));
      }
    } else if (ts.isPropertyAssignment(node)) {
      const name = propertyName(node.name);
      if (name === 'validateInput') report(node, name, englishReturned(node.initializer));
      else if (name && places.properties.has(name)) report(node, name, englishIn(node.initializer));
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = node.left;
      if (ts.isPropertyAccessExpression(target) && places.properties.has(target.name.text)) {
        report(node, `.${target.name.text} =`, englishIn(node.right));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

/**
 * `l10n.t` calls whose message @vscode/l10n-dev would not extract as it is at run time: the first
 * argument must be a string literal (or `{ message: '…' }`); a `\u2019` escape is mis-read by the
 * extractor (write the character itself), so the bundle's key would not match.
 */
export function l10nCallProblems(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: string[] = [];
  const visit = (node: ts.Node): void => {
    if (isL10nCall(node)) {
      const call = node as ts.CallExpression;
      const first = call.arguments[0];
      const message =
        first && ts.isObjectLiteralExpression(first)
          ? first.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyName(p.name) === 'message')
              ?.initializer
          : first;
      const where = `${file}:${sf.getLineAndCharacterOfPosition(call.getStart(sf)).line + 1}`;
      if (!message || !(ts.isStringLiteral(message) || ts.isNoSubstitutionTemplateLiteral(message))) {
        problems.push(`${where} l10n.t(${first?.getText(sf).slice(0, 80) ?? ''}): the message must be a string literal`);
      } else if (/\\u/.test(message.getText(sf))) {
        problems.push(`${where} ${message.getText(sf).slice(0, 80)}: write the character, not a \\u escape`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

/** The entries of a host table (`'English': vscode.l10n.t('English')`): each key and the message given to l10n.t. */
function hostTable(file: string, source: string): { key: string; message: string | undefined }[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const entries: { key: string; message: string | undefined }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && isL10nCall(node.initializer)) {
      const arg = (node.initializer as ts.CallExpression).arguments[0];
      entries.push({
        key: propertyName(node.name) ?? node.name.getText(sf),
        message: arg && ts.isStringLiteral(arg) ? arg.text : undefined,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return entries;
}

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('user-facing strings go through vscode.l10n.t', () => {
  it('finds none hard-coded in src/vscode and src/extension.ts', () => {
    const files = [...sources('src/vscode'), 'src/extension.ts'];
    assert.ok(files.length > 30, `found ${files.length} files`);
    const findings = files.flatMap((file) =>
      findHardcodedStrings(relative(root, join(root, file)), readFileSync(join(root, file), 'utf8')),
    );
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} ${f.where} ${JSON.stringify(f.text)}`),
      [],
      'wrap these in vscode.l10n.t(...) (placeholders, not concatenation: vscode.l10n.t("Deleted {0}", title)), then run npm run l10n:export',
    );
  });

  it('finds none hard-coded in the webviews (src/webview): they show the strings the extension sends', () => {
    const files = sources('src/webview');
    assert.ok(files.length > 10, `found ${files.length} files`);
    const findings = files.flatMap((file) => findHardcodedStrings(file, readFileSync(join(root, file), 'utf8'), WEBVIEW_SIDE));
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} ${f.where} ${JSON.stringify(f.text)}`),
      [],
      "add the message to src/protocol/webviewStrings.ts, show it with t('…') (src/webview/l10n.ts), regenerate the extension's table and run npm run l10n:export",
    );
  });

  it("translates each of the webviews' strings in the extension: every key, each value vscode.l10n.t of its own key", () => {
    for (const [file, keys] of [
      ['src/vscode/timeline/timelineStrings.ts', TIMELINE_STRINGS],
      ['src/vscode/usage/usageStrings.ts', USAGE_STRINGS],
    ] as const) {
      const table = hostTable(file, readFileSync(join(root, file), 'utf8'));
      assert.deepEqual(
        table.filter((e) => e.key !== e.message).map((e) => e.key),
        [],
        `${file}: each value must be vscode.l10n.t of its own key`,
      );
      assert.deepEqual(
        table.map((e) => e.key),
        [...keys],
        `${file}: the keys of src/protocol/webviewStrings.ts, in their order`,
      );
    }
  });

  it('calls l10n.t with a plain literal that npm run l10n:export can read (no template, variable or \\u escape)', () => {
    const files = [...sources('src/vscode'), 'src/extension.ts'];
    const bad = files.flatMap((file) => l10nCallProblems(file, readFileSync(join(root, file), 'utf8')));
    assert.deepEqual(bad, []);
  });

  it('keeps its allow-list to strings that are still in the code', () => {
    const stale = ALLOWED.filter((a) => !readFileSync(join(root, a.file), 'utf8').includes(a.text));
    assert.deepEqual(stale, []);
  });

  describe('the scan', () => {
    const scan = (code: string) => findHardcodedStrings('x.ts', code).map((f) => f.text);

    it('flags a hard-coded message, its buttons, a quick pick title, an assigned tooltip and what validateInput returns', () => {
      assert.deepEqual(
        scan(`
          void vscode.window.showWarningMessage('Delete it?', { modal: true }, 'Delete');
          void vscode.window.showQuickPick(items, { title: \`Pick one of \${n}\`, placeHolder: vscode.l10n.t('Type to filter') });
          item.tooltip = done ? 'Done' : vscode.l10n.t('Running');
          void vscode.window.showInputBox({ validateInput: (v) => (v ? undefined : 'A name cannot be empty.') });
          throw new UserFacingError('No session is active.');
        `),
        ['Delete it?', 'Delete', '`Pick one of ${n}`', 'Done', 'A name cannot be empty.', 'No session is active.'],
      );
    });

    it('flags an English child of h(…), a title or aria-label, and textContent set to English, in a webview', () => {
      assert.deepEqual(
        findHardcodedStrings(
          'w.ts',
          `
            h('button', { title: 'Copy the output', 'aria-label': t('Copy') }, icon('copy'), 'Copy output');
            h('p', { className: 'muted' }, \` (\${path})\`, t('No events.'));
            status.textContent = busy ? 'Reading…' : '';
          `,
          WEBVIEW_SIDE,
        ).map((f) => f.text),
        ['Copy output', 'Copy the output', 'Reading…'],
      );
    });

    it('lets l10n.t, codicons alone, identifiers and computed text through', () => {
      assert.deepEqual(
        scan(`
          void vscode.window.showInformationMessage(vscode.l10n.t('Imported {0} sessions', n), vscode.l10n.t('Open'));
          item.text = \`$(sync~spin) \${label}\`;
          item.label = session.title;
          const pick = { label: '$(check)', description: describe(session) };
        `),
        [],
      );
    });
  });
});
