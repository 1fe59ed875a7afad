// The Fineprint backend a UI extension calls.
//
// Shopify CLI bundles UI extensions with esbuild and `define`s every environment
// variable of the build (over the app's .env) as `process.env.NAME` (maintainers:
// Shopify/cli#4587; seen in @shopify/cli 3.94.3's bundler); `shopify app dev` adds
// APP_URL = the app's tunnel URL unless the environment has one (Shopify/cli#5258).
// `npm run build` / `npm run deploy` (extensions/shared/build.mjs) set APP_URL
// from $APP_URL or shopify.app.toml's application_url, and refuse a localhost
// URL outside a dev build. Nothing is generated into src/, so a clean checkout builds.

/** The URL baked in at build time, or '' when the build had no APP_URL. */
export function builtAppUrl() {
  try {
    // Replaced by a string literal in a bundle; in a bundle built without APP_URL
    // `process` does not exist, which the catch turns into "no built-in URL".
    return process.env.APP_URL || '';
  } catch {
    return '';
  }
}

/** The backend base URL: a non-empty `app_url` extension setting wins over the built-in one. */
export function resolveAppUrl(settings, builtIn = builtAppUrl()) {
  const fromSetting = typeof settings?.app_url === 'string' ? settings.app_url.trim() : '';
  return (fromSetting || builtIn || '').trim().replace(/\/+$/, '');
}

/** The URL an extension fetches, or an Error saying why it has none. */
export function endpoint(api, path) {
  const base = resolveAppUrl(api.settings?.value);
  if (!base) throw new Error('no backend URL: build with APP_URL or set the app_url extension setting');
  return `${base}${path}`;
}
