// `process.env.APP_URL` is replaced at bundle time by Shopify CLI's esbuild step
// (see backend-url.js); declared here so `tsc --noEmit` type-checks it without @types/node.
declare const process: {env: Record<string, string | undefined>};
