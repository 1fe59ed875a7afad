// Talks to Fineprint's backend with the checkout session token.
import {endpoint} from '../../shared/backend-url.js';

async function call(api, path, init, fetchImpl) {
  const url = endpoint(api, path);
  const token = await api.sessionToken.get();
  const res = await fetchImpl(url, {...init, headers: {...init.headers, Authorization: `Bearer ${token}`}});
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return res.json();
}

/** POST /api/v1/decisions; resolves to the §6 decision, rejects on any failure. */
export function fetchDecision(api, body, fetchImpl = fetch) {
  return call(api, '/api/v1/decisions', {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body),
  }, fetchImpl);
}

/**
 * GET /api/v1/shop-settings: the shop's settings from the admin page (the protection variant lives there
 * and only there); resolves to `{protection_variant_id, checkout: {block_po_boxes}, tag_names}`.
 */
export function fetchShopSettings(api, fetchImpl = fetch) {
  return call(api, '/api/v1/shop-settings', {method: 'GET', headers: {}}, fetchImpl);
}
