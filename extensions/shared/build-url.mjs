// Which backend URL a build bakes into the UI extensions, and the checks that keep a
// localhost URL out of anything that could be deployed.
//
//   deployUrl({env, appToml, dev}) -> "https://app.example.com"   (throws BuildUrlError)
//   bundlesCalling(dir, predicate)  -> bundle files whose text contains a matching URL
import {readFileSync, readdirSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {parse} from 'smol-toml';

export class BuildUrlError extends Error {}

// Hosts a shopper's browser can never reach: loopback, unspecified, link-local,
// private ranges and mDNS names. (A literal list: these are fixed by RFCs 1918/3927/4291/6761/6762.)
const LOCAL_V4 = [/^127\./, /^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./];

export function isLocalHost(hostname) {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true;
  if (host === '::1' || host === '::' || host.startsWith('fe80:') || /^f[cd][0-9a-f]{2}:/.test(host)) return true;
  return LOCAL_V4.some((re) => re.test(host));
}

/** application_url from shopify.app.toml's text, or '' (the CLI writes it on `shopify app config link`). */
export function applicationUrl(appToml) {
  if (!appToml) return '';
  try {
    const value = parse(appToml).application_url;
    return typeof value === 'string' ? value : '';
  } catch (error) {
    throw new BuildUrlError(`shopify.app.toml is not valid TOML: ${error.message.split('\n')[0]}`);
  }
}

/**
 * The URL to bake in: $APP_URL, else shopify.app.toml's application_url.
 * A deployable build (dev = false) refuses a missing, non-https or local URL;
 * a dev/test build accepts http and local hosts (it is never deployed).
 */
export function deployUrl({env = process.env, appToml = '', dev = false} = {}) {
  const raw = (env.APP_URL || '').trim() || applicationUrl(appToml).trim();
  const origin = dev ? 'dev build' : 'deployable build';
  if (!raw) throw new BuildUrlError(`${origin}: no backend URL; set APP_URL or application_url in shopify.app.toml`);
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new BuildUrlError(`${origin}: APP_URL ${JSON.stringify(raw)} is not a URL`);
  }
  if (!dev && isLocalHost(url.hostname)) {
    throw new BuildUrlError(`deployable build: APP_URL ${raw} is local, and shoppers' browsers cannot reach it; ` +
      'set APP_URL to the app\'s public URL, or run `make build-dev` (npm run build:dev) for a build that is never deployed');
  }
  if (url.protocol !== 'https:' && !(dev && url.protocol === 'http:')) {
    throw new BuildUrlError(`${origin}: APP_URL ${raw} must be https:// (checkout and account pages are https, and browsers block their calls to http: mixed content)`);
  }
  return raw.replace(/\/+$/, '');
}

const URL_IN_TEXT = /https?:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)/g;

/** Built bundles (extensions/<name>/dist/*.js under `root`) that name a URL whose host matches `predicate`. */
export function bundlesCalling(root, predicate = isLocalHost) {
  const hits = [];
  for (const name of readdirSync(root)) {
    const dist = join(root, name, 'dist');
    if (!existsSync(dist)) continue;
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(join(dist, file), 'utf8');
      const hosts = [...text.matchAll(URL_IN_TEXT)].map((m) => m[1]).filter((h) => predicate(h));
      if (hosts.length) hits.push({file: join(name, 'dist', file), hosts: [...new Set(hosts)]});
    }
  }
  return hits;
}
