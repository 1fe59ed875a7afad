// `npm run theme-check`: Shopify's Theme Check on the theme app extension, offline.
// Exits non-zero when Theme Check finds an error (its default --fail-level).
import {resolve} from 'node:path';
import {runShopify} from './shopify-cli.mjs';

const path = resolve(process.argv[2] || 'extensions/theme-returns');
const code = await runShopify(
  ['theme', 'check', '--path', path, '--config', 'theme-check:theme-app-extension', '--fail-level', 'error', '--no-color'],
  {stopOnEsbuildError: false, timeoutMs: 120_000},
);
process.exit(code);
