// Pure checkout logic: what to ask the decision API and what its answer means
// for each target. No Shopify globals here, so node --test can run it.

/** Unit price of a cart line as a decimal string (the cart only knows the line total). */
export function unitPrice(line) {
  const total = Number(line?.cost?.totalAmount?.amount ?? 0);
  const qty = Math.max(1, Number(line?.quantity) || 1);
  return (total / qty).toFixed(2);
}

const ADDRESS_FIELDS = {
  country_code: 'countryCode', province_code: 'provinceCode', address1: 'address1',
  address2: 'address2', city: 'city', zip: 'zip',
};

/**
 * The ship-to address as a §5 address, or undefined when checkout has none: the
 * buyer has not entered it yet, or the app is not approved for protected customer
 * data and `shippingAddress` is undefined. No address is sent then, never an empty
 * one, so the backend reports it as unknown instead of deciding for a blank address.
 */
export function shippingAddress(address) {
  const out = {};
  for (const [field, key] of Object.entries(ADDRESS_FIELDS)) {
    const value = typeof address?.[key] === 'string' ? address[key].trim() : '';
    if (value) out[field] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Contract §5 request for a cart: lines by variant, the ship-to address when known, created now. */
export function decisionRequest({lines = [], address, currency, now = new Date()}) {
  const order = {
    created_at: now.toISOString(),
    currency: currency || undefined,
    source_name: 'web',
    tags: [],
    discount_codes: [],
    line_items: lines.map((line) => ({
      id: line.id,
      variant_id: line.merchandise?.id,
      quantity: line.quantity,
      price: unitPrice(line),
    })),
  };
  const shipTo = shippingAddress(address);
  return {order: shipTo ? {...order, shipping_address: shipTo} : order};
}

/** False when the decision says it could not know the ship-to address (`unknown_facts`). */
export function addressKnown(decision) {
  return !(decision?.unknown_facts || []).includes('shipping_address');
}

/** A stable key for a request (everything but the clock), to refetch only on real changes. */
export function requestKey(body) {
  const {created_at: _ignored, ...order} = body.order;
  return JSON.stringify(order);
}

/** The cart line holding the protection variant, if the buyer added it. */
export function protectionLine(lines, variantId) {
  if (!variantId) return undefined;
  return (lines || []).find((line) => line.merchandise?.id === variantId);
}

/**
 * The one cart change that makes the cart match `wanted`, or null when it already does
 * or the checkout does not allow it (instructions.lines).
 */
export function protectionChange({lines, variantId, wanted, instructions}) {
  const existing = protectionLine(lines, variantId);
  const can = instructions?.lines || {};
  if (wanted && !existing) {
    if (!variantId || can.canAddCartLine === false) return null;
    return {type: 'addCartLine', merchandiseId: variantId, quantity: 1};
  }
  if (!wanted && existing) {
    if (can.canRemoveCartLine === false) return null;
    return {type: 'removeCartLine', id: existing.id, quantity: existing.quantity};
  }
  return null;
}

/** What the protection block shows. The checkbox mirrors the cart, never a default. */
export function protectionView({decision, lines, variantId, instructions}) {
  const existing = protectionLine(lines, variantId);
  const rp = decision?.return_protection;
  const offered = Boolean(rp?.offered);
  const canAdd = instructions?.lines?.canAddCartLine !== false;
  return {
    visible: Boolean(variantId) && offered && (canAdd || Boolean(existing)),
    checked: Boolean(existing),
    price: rp?.price ?? null,
    // Protection bought for an address the policy no longer covers: take it out
    // (never for an address the decision could not see).
    stale: Boolean(existing) && Boolean(decision) && !offered && addressKnown(decision),
  };
}

/** i18n key of the notice for one cart line, or null. */
export function lineNoticeKey(decision, lineId) {
  const line = (decision?.lines || []).find((l) => l.line_item_id === lineId);
  if (line?.class === 'final_sale') return 'line.final_sale';
  if (line?.class === 'credit_only') return 'line.credit_only';
  return null;
}

/**
 * Blocking rules of the decision as checkout validation errors. P.O.-box and country
 * rules depend on the address: with the address unknown there is nothing to show.
 */
export function blockingErrors(decision) {
  if (!addressKnown(decision)) return [];
  return (decision?.blocked || []).map((b) => ({message: b.message || b.rule}));
}

/** The signature notice shows only when the policy requires one for a known address. */
export function signatureNotice(decision) {
  return Boolean(decision?.signature_required) && addressKnown(decision);
}

/**
 * The interceptor's answer for the address step.
 * @returns {import('@shopify/ui-extensions/checkout').InterceptorRequest}
 */
export function addressInterception({decision, allowBlocking, canBlockProgress}) {
  const errors = blockingErrors(decision);
  if (!errors.length || !allowBlocking || !canBlockProgress) return {behavior: 'allow'};
  return {behavior: 'block', reason: 'fineprint-blocked-address', errors};
}

/** Numbers for the thank-you summary. */
export function returnSummary(decision) {
  const lines = decision?.lines || [];
  const count = (cls) => lines.filter((l) => l.class === cls).length;
  const windows = lines.flatMap((l) => Object.values(l.resolutions || {}))
    .map((r) => r?.window?.days).filter((d) => typeof d === 'number');
  return {
    deadline: decision?.return_deadline || null,
    longestWindow: windows.length ? Math.max(...windows) : null,
    finalSale: count('final_sale'),
    creditOnly: count('credit_only'),
    protection: Boolean(decision?.return_protection?.purchased),
  };
}
