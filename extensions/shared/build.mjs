// `npm run build`: `shopify app build` for every extension, offline, with the backend URL
// baked in (extensions/shared/build-url.mjs decides which, and refuses localhost).
// `npm run build:dev` (--dev) accepts a local http URL for a build that is never deployed;
// `npm run deploy` (--deploy) checks the same way, then runs `shopify app deploy`.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {BuildUrlError, bundlesCalling, deployUrl} from './build-url.mjs';
import {runShopify} from './shopify-cli.mjs';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const args = process.argv.slice(2);
const dev = args.includes('--dev');
const deploy = args.includes('--deploy');
const passThrough = args.filter((a) => a !== '--dev' && a !== '--deploy');

let url;
try {
  url = deployUrl({env: process.env, appToml: readFileSync(join(repo, 'shopify.app.toml'), 'utf8'), dev: dev && !deploy});
} catch (error) {
  if (!(error instanceof BuildUrlError)) throw error;
  console.error(`extensions: ${error.message}`);
  process.exit(1);
}
console.log(`extensions: ${dev ? 'dev build' : 'deployable build'}, backend URL ${url}`);

const env = {APP_URL: url};
const command = deploy ? ['app', 'deploy', ...passThrough] : ['app', 'build', '--skip-dependencies-installation', ...passThrough];
let code = await runShopify([...command, '--path', repo], {cwd: repo, env, offline: !deploy});
if (code === 0 && !dev) {
  // Belt and braces: no deployable bundle may name a local URL, whatever the sources say.
  const leaks = bundlesCalling(join(repo, 'extensions'));
  for (const leak of leaks) console.error(`extensions: ${leak.file} names local host(s) ${leak.hosts.join(', ')}`);
  if (leaks.length) code = 1;
}
process.exit(code);
