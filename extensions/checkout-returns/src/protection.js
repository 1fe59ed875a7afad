// The return-protection toggle's actions, kept apart from rendering so tests can drive them.
// `shopSettings` is the backend's GET /api/v1/shop-settings answer: the protection variant is configured
// once, in the admin page's Settings, for the checkout, the theme's cart toggle and the pipeline alike.
import {protectionChange, protectionView} from './logic.js';

/** The shop's protection variant as a GID (Settings keep its numeric id), or null when none is set. */
export function variantIdOf(shopSettings) {
  const raw = shopSettings?.protection_variant_id;
  if (raw === undefined || raw === null || raw === '') return null;
  const text = String(raw);
  return text.startsWith('gid://') ? text : `gid://shopify/ProductVariant/${text}`;
}

export function currentView(api, decision, shopSettings) {
  return protectionView({
    decision,
    lines: api.lines.value,
    variantId: variantIdOf(shopSettings),
    instructions: api.instructions?.value,
  });
}

/** Adds (wanted) or removes the protection line; only ever called from a buyer's click or `dropStale`. */
export async function setProtection(api, wanted, shopSettings) {
  const change = protectionChange({
    lines: api.lines.value,
    variantId: variantIdOf(shopSettings),
    wanted,
    instructions: api.instructions?.value,
  });
  if (!change) return {type: 'noop'};
  return api.applyCartLinesChange(change);
}

/** Removes protection the policy no longer offers for the current address (never adds). */
export async function dropStale(api, decision, shopSettings) {
  if (!currentView(api, decision, shopSettings).stale) return {type: 'noop'};
  return setProtection(api, false, shopSettings);
}
