// Bundles zod with its English messages only. zod's main module pulls in every locale it ships
// (`z.locales`: about 400 KB of the 800 KB zod adds to a bundle), which Node then parses and runs at
// each start of the command line and the extension; this code uses none but the default, English.
// `z.locales.en` still works; another locale is undefined (z.config(z.locales.fr()) would throw).
import * as path from 'node:path';

/** @type {import('esbuild').Plugin} */
export const zodLocalesPlugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.c?js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      const file = path.resolve(args.resolveDir, args.path);
      return { path: file, namespace: 'zod-english-only', pluginData: { cjs: file.endsWith('.cjs') } };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      resolveDir: path.dirname(args.path),
      loader: 'js',
      contents: args.pluginData.cjs
        ? 'const en = require("./en.cjs");\nexports.en = en && en.__esModule ? en.default : en;\n'
        : 'export { default as en } from "./en.js";\n',
    }));
  },
};
