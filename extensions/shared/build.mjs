// `npm run build`: `shopify app build` for every extension, offline.
import {dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {writeConfig} from './app-url.mjs';
import {runShopify} from './shopify-cli.mjs';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const url = writeConfig();
console.log(`extensions: APP_URL baked in as ${url}`);
const code = await runShopify(['app', 'build', '--skip-dependencies-installation', '--path', repo], {cwd: repo});
process.exit(code);
