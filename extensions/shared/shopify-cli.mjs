// Runs the project's pinned Shopify CLI offline: no analytics, no upgrade checks,
// no dependency installation. The CLI retries a failed esbuild bundle forever,
// so the first esbuild error (or a time limit) ends the run with exit code 1.
import {spawn} from 'node:child_process';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';

const require = createRequire(import.meta.url);
const CLI = join(dirname(require.resolve('@shopify/cli/package.json')), 'bin', 'run.js');

export const OFFLINE_ENV = {
  SHOPIFY_CLI_NO_ANALYTICS: '1',
  SHOPIFY_CLI_NO_UPGRADE_CHECK: '1',
  NODE_NO_WARNINGS: '1',
  CI: process.env.CI || '1',
};

// `env` adds variables (the build's APP_URL); `offline: false` (deploy) talks to Shopify,
// may ask questions on the terminal and has no time limit.
export function runShopify(args, {cwd, env = {}, offline = true, timeoutMs = 300_000, stopOnEsbuildError = true} = {}) {
  return new Promise((resolve) => {
    const quiet = offline ? OFFLINE_ENV : {SHOPIFY_CLI_NO_ANALYTICS: '1', NODE_NO_WARNINGS: '1'};
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd, env: {...process.env, ...quiet, ...env}, stdio: [offline ? 'ignore' : 'inherit', 'pipe', 'pipe'],
    });
    let failed = false;
    const stop = (why) => {
      if (failed) return;
      failed = true;
      process.stderr.write(`\nshopify ${args[0]} ${args[1] || ''}: ${why}; stopping.\n`);
      setTimeout(() => child.kill('SIGTERM'), 500);
    };
    const timer = offline ? setTimeout(() => stop(`no result after ${timeoutMs / 1000}s`), timeoutMs) : null;
    const pass = (out) => (chunk) => {
      out.write(chunk);
      if (stopOnEsbuildError && String(chunk).includes('✘ [ERROR]')) stop('esbuild reported an error');
    };
    child.stdout.on('data', pass(process.stdout));
    child.stderr.on('data', pass(process.stderr));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(failed ? 1 : code ?? 1);
    });
  });
}
