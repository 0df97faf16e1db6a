// Writes the extension's tables of the webviews' strings from src/protocol/webviewStrings.ts:
//   src/vscode/timeline/timelineStrings.ts (TIMELINE_STRINGS) and src/vscode/usage/usageStrings.ts (USAGE_STRINGS),
// each entry `'English': vscode.l10n.t('English')`, the literal call `npm run l10n:export` extracts.
// Run by `npm run l10n:export` before the extractor; test/unit/extension/localizedStrings.test.ts checks the result.
//   node scripts/webview-strings.mjs [--check]   (--check: exit 1 when a table is not what it would write)
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as prettier from 'prettier';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const protocolFile = join(root, 'src/protocol/webviewStrings.ts');

/** The string elements of `export const NAME = [...] as const`. */
function readKeys(source, name) {
  const sf = ts.createSourceFile(protocolFile, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  for (const statement of sf.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || d.name.text !== name || !d.initializer) continue;
      let init = d.initializer;
      while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init)) init = init.expression;
      if (!ts.isArrayLiteralExpression(init)) throw new Error(`${name} is not an array literal`);
      return init.elements.map((e) => {
        if (!ts.isStringLiteral(e)) throw new Error(`${name}: ${e.getText(sf)} is not a string literal`);
        return e.text;
      });
    }
  }
  throw new Error(`no ${name} in ${protocolFile}`);
}

const quote = (text) => JSON.stringify(text);

function table({ name, type, fn, what }, keys) {
  return `// Written by scripts/webview-strings.mjs (npm run l10n:export) from src/protocol/webviewStrings.ts: do not edit by hand.
import * as vscode from 'vscode';
import type { ${type} } from '../../protocol/webviewStrings';

/**
 * ${what} (${name}), translated: sent in the \`init\` message that answers the page's \`ready\`. A
 * function, so the strings are translated when a page opens (not when the module loads). Each value is
 * \`vscode.l10n.t\` of its own key, which \`npm run l10n:export\` extracts into l10n/bundle.l10n.json.
 */
export function ${fn}(): ${type} {
  return {
${keys.map((k) => `    ${quote(k)}: vscode.l10n.t(${quote(k)}),`).join('\n')}
  };
}
`;
}

const tables = [
  {
    file: 'src/vscode/timeline/timelineStrings.ts',
    name: 'TIMELINE_STRINGS',
    type: 'TimelineStrings',
    fn: 'timelineStrings',
    what: "The timeline page's strings",
  },
  {
    file: 'src/vscode/usage/usageStrings.ts',
    name: 'USAGE_STRINGS',
    type: 'UsageStrings',
    fn: 'usageStrings',
    what: "The usage page's strings",
  },
];

const check = process.argv.includes('--check');
const source = readFileSync(protocolFile, 'utf8');
let stale = 0;
for (const t of tables) {
  const path = join(root, t.file);
  const options = { ...(await prettier.resolveConfig(path)), filepath: path };
  const text = await prettier.format(table(t, readKeys(source, t.name)), options);
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // not written yet
  }
  if (current === text) continue;
  if (check) {
    console.error(`${t.file} is out of date: run npm run l10n:export`);
    stale++;
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${t.file}`);
  }
}
process.exit(stale ? 1 : 0);
