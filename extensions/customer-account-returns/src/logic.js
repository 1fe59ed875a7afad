// Pure logic of the return modal: the shopper's picks per line, the request they make, the totals shown.

/** Numeric id of a Shopify GID ("gid://shopify/Order/123" -> "123"); plain ids pass through. */
export function numericId(id) {
  const match = /(\d+)\s*$/.exec(String(id ?? ''));
  return match ? match[1] : null;
}

const RESOLUTION_ORDER = ['refund', 'store_credit', 'exchange'];

/** The resolutions a line offers, in a stable order. */
export function resolutionsOf(line) {
  return RESOLUTION_ORDER.filter((r) => line?.resolutions && r in line.resolutions);
}

/** A fresh pick for each returnable line: not selected, one unit, the first resolution, reason and condition. */
export function initialPicks(options) {
  const picks = {};
  for (const line of options?.lines || []) {
    if (!line.returnable) continue;
    picks[line.line_item_id] = {
      selected: false,
      quantity: 1,
      resolution: resolutionsOf(line)[0],
      reason: options.reasons?.[0]?.id ?? null,
      condition: options.conditions?.[0] ?? 'new',
      variant: line.exchange_variants?.[0]?.id ?? null,
    };
  }
  return picks;
}

/** One field of one line's pick changed; a line that cannot be returned never becomes selected. */
export function updatePick(picks, line, change) {
  const current = picks[line.line_item_id];
  if (!current || !line.returnable) return picks;
  const next = {...current, ...change};
  next.quantity = Math.min(Math.max(1, Math.trunc(Number(next.quantity)) || 1), Math.max(1, line.quantity || 1));
  if (!resolutionsOf(line).includes(next.resolution)) next.resolution = resolutionsOf(line)[0];
  return {...picks, [line.line_item_id]: next};
}

/** The body of a preview or a submission: the selected lines only, or null when none is. */
export function requestBody(options, picks) {
  const lines = [];
  for (const line of options?.lines || []) {
    const pick = picks[line.line_item_id];
    if (!pick?.selected || !line.returnable) continue;
    const entry = {line_item_id: line.line_item_id, quantity: pick.quantity, resolution: pick.resolution,
      condition: pick.condition};
    if (pick.reason) entry.reason_definition_id = pick.reason;
    if (pick.resolution === 'exchange') entry.exchange_variant_id = pick.variant;
    lines.push(entry);
  }
  return lines.length ? {lines} : null;
}

/** What the shopper gets back and pays, from a preview: only non-zero figures are listed. */
export function summary(preview) {
  if (!preview) return [];
  const rows = (preview.fees || []).filter((f) => Number(f.amount) > 0).map((f) => ({key: `fee.${f.kind}`, amount: f.amount}));
  for (const key of ['bonus_credit', 'refund_total', 'credit_total']) {
    if (Number(preview[key]) > 0) rows.push({key: `total.${key}`, amount: preview[key]});
  }
  return rows;
}

/** Per line id, the policy's sentences when the preview refuses that line. */
export function refusals(preview) {
  const out = {};
  for (const line of preview?.lines || []) {
    if (!line.allowed) out[line.line_item_id] = (line.reasons || []).map((r) => r.text);
  }
  return out;
}

/** Submit is possible when something is picked, each exchange names a size, and the preview allows it all. */
export function canSubmit(body, preview) {
  if (!body || !preview?.allowed) return false;
  return body.lines.every((l) => l.resolution !== 'exchange' || l.exchange_variant_id);
}
