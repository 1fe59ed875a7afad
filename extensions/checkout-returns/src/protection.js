// The return-protection toggle's actions, kept apart from rendering so tests can drive them.
import {protectionChange, protectionView} from './logic.js';

/** The merchant's protection variant as a GID (the setting is a variant_reference). */
export function variantIdOf(api) {
  const raw = api.settings?.value?.protection_variant;
  if (raw === undefined || raw === null || raw === '') return null;
  const text = String(raw);
  return text.startsWith('gid://') ? text : `gid://shopify/ProductVariant/${text}`;
}

export function currentView(api, decision) {
  return protectionView({
    decision,
    lines: api.lines.value,
    variantId: variantIdOf(api),
    instructions: api.instructions?.value,
  });
}

/** Adds (wanted) or removes the protection line; only ever called from a buyer's click or `dropStale`. */
export async function setProtection(api, wanted) {
  const change = protectionChange({
    lines: api.lines.value,
    variantId: variantIdOf(api),
    wanted,
    instructions: api.instructions?.value,
  });
  if (!change) return {type: 'noop'};
  return api.applyCartLinesChange(change);
}

/** Removes protection the policy no longer offers for the current address (never adds). */
export async function dropStale(api, decision) {
  if (!currentView(api, decision).stale) return {type: 'noop'};
  return setProtection(api, false);
}
