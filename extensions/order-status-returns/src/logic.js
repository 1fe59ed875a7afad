// Pure order-status logic: turns a §6 decision into per-line return states.

export const RESOLUTIONS = ['refund', 'store_credit', 'exchange'];

/** Numeric id of a Shopify GID ("gid://shopify/Order/123" -> "123"); plain ids pass through. */
export function numericId(id) {
  const match = /(\d+)\s*$/.exec(String(id ?? ''));
  return match ? match[1] : null;
}

/**
 * The state of one decision line:
 * - final_sale: nothing can be returned;
 * - open: some resolutions are still allowed, `returnBy` is their latest deadline;
 * - not_delivered: a window exists but its anchor (delivery, shipment) has not happened yet;
 * - closed: a window existed and its deadline has passed;
 * - none: the policy offers no return for this line (protection fee, external channel).
 */
export function lineState(line, today) {
  const entries = RESOLUTIONS.map((kind) => ({kind, ...(line?.resolutions?.[kind] || {})}));
  const remaining = entries.filter((r) => r.allowed && r.deadline && (!today || r.deadline >= today));
  const pending = entries.filter((r) => r.window && !r.deadline);
  const lapsed = entries.filter((r) => r.window && r.deadline && (!r.allowed || (today && r.deadline < today)));
  const base = {lineItemId: line?.line_item_id, cls: line?.class || 'standard'};
  if (base.cls === 'final_sale') return {...base, state: 'final_sale', returnBy: null, resolutions: []};
  if (remaining.length) {
    const returnBy = remaining.map((r) => r.deadline).sort().at(-1);
    return {...base, state: 'open', returnBy, resolutions: remaining.map((r) => ({kind: r.kind, deadline: r.deadline}))};
  }
  if (pending.length) {
    return {...base, state: 'not_delivered', returnBy: null,
      resolutions: pending.map((r) => ({kind: r.kind, days: r.window.days, from: r.window.from}))};
  }
  if (lapsed.length) {
    const closedOn = lapsed.map((r) => r.deadline).sort().at(-1);
    return {...base, state: 'closed', returnBy: null, closedOn, resolutions: []};
  }
  return {...base, state: 'none', returnBy: null, resolutions: []};
}

/** Fees the decision reports (present when the decision answered a return request). */
export function fees(decision) {
  return (decision?.return?.fees || []).map((f) => ({kind: f.kind, amount: f.amount}));
}

/** Pairs decision lines with the order's lines (by numeric id, else by position) for titles. */
export function withTitles(decision, orderLines, today) {
  const lines = (decision?.lines || []).filter((l) => l.class !== 'protection');
  return lines.map((line, i) => {
    const id = numericId(line.line_item_id);
    const match = (orderLines || []).find((o) => numericId(o.id) === id) || (orderLines || [])[i];
    return {...lineState(line, today), title: match?.merchandise?.title || null};
  });
}

/** Today's date as YYYY-MM-DD in the given IANA zone (the shop's, when known). */
export function todayIn(timeZone, now = new Date()) {
  try {
    return new Intl.DateTimeFormat('en-CA', {timeZone, year: 'numeric', month: '2-digit', day: '2-digit'}).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}
