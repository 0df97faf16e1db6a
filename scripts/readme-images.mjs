// Copies the README's pictures from the last end-to-end run (test-results/screenshots, written by
// test/e2e/themesAndKeyboard.e2e.test.ts) to media/readme/, so they show the extension as it is.
//   npm run readme:images            (after the e2e run: npx tsx test/harness/runE2e.ts)
// Fails, naming every missing screenshot, if the run did not produce one of them.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'test-results', 'screenshots');
const to = join(root, 'media', 'readme');

/** README picture ← e2e screenshot (both without .png). */
const chosen = {
  'hero-tree-timeline': 'readme-dark-tree-timeline',
  'first-session-1-new': 'readme-first-session-1-new',
  'first-session-2-next-step': 'readme-first-session-2-next-step',
  'first-session-3-timeline': 'readme-first-session-3-timeline',
  'usage-panel': 'readme-dark-usage',
  'light-tree-timeline': 'readme-light-tree-timeline',
  'high-contrast-tree-timeline': 'readme-high-contrast-tree-timeline',
};

const missing = Object.values(chosen).filter((shot) => !existsSync(join(from, `${shot}.png`)));
if (missing.length > 0) {
  console.error(
    `readme-images: ${missing.length} chosen screenshot(s) missing in ${from}:\n` +
      missing.map((m) => `  ${m}.png`).join('\n') +
      `\nRun the end-to-end test that takes them first: npm run package && npx tsx test/harness/runE2e.ts --grep "dark, light and high-contrast"` +
      `\n(or change the list in scripts/readme-images.mjs if a screenshot was renamed). media/readme/ was left as it was.`,
  );
  process.exit(1);
}
mkdirSync(to, { recursive: true });
// Pictures no longer chosen go, so the folder holds exactly what the README links.
for (const old of readdirSync(to)) if (old.endsWith('.png') && !(old.slice(0, -4) in chosen)) rmSync(join(to, old));
for (const [name, shot] of Object.entries(chosen)) {
  copyFileSync(join(from, `${shot}.png`), join(to, `${name}.png`));
  console.log(`readme-images: ${shot}.png → media/readme/${name}.png`);
}
