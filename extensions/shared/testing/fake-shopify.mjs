// A fake `shopify` global for the extensions' logic tests: signals with `.value`,
// a cart that applyCartLinesChange really changes, and a call log.

export function signal(value) {
  const subscribers = new Set();
  return {
    get value() {
      return value;
    },
    set(next) {
      value = next;
      subscribers.forEach((fn) => fn(next));
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}

export function cartLine(id, variantId, {quantity = 1, amount = 10, title = 'Item'} = {}) {
  return {
    id,
    quantity,
    merchandise: {type: 'variant', id: variantId, title},
    cost: {totalAmount: {amount: amount * quantity, currencyCode: 'USD'}},
    attributes: [],
    discountAllocations: [],
    lineComponents: [],
    parentRelationship: null,
  };
}

export function fakeShopify({lines = [], settings = {}, canAddCartLine = true, canRemoveCartLine = true, address} = {}) {
  const calls = [];
  let next = 1000;
  const api = {
    calls,
    lines: signal(lines),
    settings: signal(settings),
    instructions: signal({lines: {canAddCartLine, canRemoveCartLine, canUpdateCartLine: true}}),
    shippingAddress: signal(address),
    cost: {totalAmount: signal({amount: 0, currencyCode: 'USD'})},
    sessionToken: {get: async () => 'header.payload.signature'},
    // Order status page (customer-account API): Shopify's sign-in prompt, recorded.
    async requireLogin() {
      calls.push({type: 'requireLogin'});
    },
    async applyCartLinesChange(change) {
      calls.push(change);
      const current = api.lines.value;
      if (change.type === 'addCartLine') {
        api.lines.set([...current, cartLine(`gid://shopify/CartLine/${next++}`, change.merchandiseId, {amount: 2.98})]);
      } else if (change.type === 'removeCartLine') {
        api.lines.set(current.filter((l) => l.id !== change.id));
      }
      return {type: 'success'};
    },
  };
  return api;
}

/** A fetch stand-in that records requests and answers from `routes` (path -> [status, body]). */
export function fakeFetch(routes) {
  const requests = [];
  const impl = async (url, init = {}) => {
    requests.push({url, ...init});
    const path = new URL(url).pathname;
    const [status, body] = routes[path] || [404, {error: {code: 'not_found'}}];
    return {ok: status >= 200 && status < 300, status, json: async () => body};
  };
  impl.requests = requests;
  return impl;
}
