// Prettier: the one code style of this repository (`npm run format`; `npm run lint` checks it).
/** @type {import('prettier').Config} */
export default {
  // 140, not 80: names here are descriptive and most signatures carry a zod type or a doc-linked
  // type; at 80 they would wrap into towers. Comments are not re-flowed by Prettier; keep them
  // within this width by hand.
  printWidth: 140,
  singleQuote: true,
  trailingComma: 'all',
  // One indentation everywhere (src/core/agent and src/core/exec used tabs before this file).
  useTabs: false,
  tabWidth: 2,
  endOfLine: 'lf',
};
