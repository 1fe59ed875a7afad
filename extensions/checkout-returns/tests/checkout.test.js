import assert from 'node:assert/strict';
import {dirname, join} from 'node:path';
import {describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {cartLine, fakeFetch, fakeShopify} from '../../shared/testing/fake-shopify.mjs';
import {keysOf, localeFiles, usedKeys} from '../../shared/testing/locales.mjs';
import {fetchDecision, fetchShopSettings} from '../src/api.js';
import {
  addressInterception, blockingErrors, decisionRequest, lineNoticeKey, returnSummary, signatureNotice,
} from '../src/logic.js';
import {currentView, dropStale, setProtection} from '../src/protection.js';

const here = dirname(fileURLToPath(import.meta.url));
const VARIANT = 'gid://shopify/ProductVariant/4242';
const SHOE = cartLine('gid://shopify/CartLine/1', 'gid://shopify/ProductVariant/1', {amount: 295});
const offered = {return_protection: {offered: true, price: '2.98', purchased: false}, lines: [], blocked: []};
const notOffered = {return_protection: {offered: false, price: null, purchased: false}, lines: [], blocked: []};

// The backend's GET /api/v1/shop-settings answer: the admin page's Settings keep the variant's numeric id.
const SETTINGS = {protection_variant_id: '4242', checkout: {block_po_boxes: true}, tag_names: {}};

function checkout(options = {}) {
  const api = fakeShopify({lines: [SHOE], ...options});
  globalThis.shopify = api;
  return api;
}

describe('return protection toggle', () => {
  test('is shown unchecked and adds nothing until the buyer clicks', async () => {
    const api = checkout();
    const view = currentView(api, offered, SETTINGS);
    assert.equal(view.visible, true);
    assert.equal(view.checked, false);
    assert.equal(view.price, '2.98');
    await dropStale(api, offered, SETTINGS);
    assert.deepEqual(api.calls, []);
    assert.equal(api.lines.value.length, 1);
  });

  test('a click adds the protection variant, a second click removes that line', async () => {
    const api = checkout();
    await setProtection(api, true, SETTINGS);
    assert.deepEqual(api.calls[0], {type: 'addCartLine', merchandiseId: VARIANT, quantity: 1});
    assert.equal(currentView(api, offered, SETTINGS).checked, true);
    const added = api.lines.value.find((l) => l.merchandise.id === VARIANT);

    await setProtection(api, false, SETTINGS);
    assert.deepEqual(api.calls[1], {type: 'removeCartLine', id: added.id, quantity: 1});
    assert.equal(currentView(api, offered, SETTINGS).checked, false);
    assert.deepEqual(api.lines.value, [SHOE]);
  });

  test('reflects a protection line already in the cart (reload, other surface)', () => {
    const api = checkout({lines: [SHOE, cartLine('gid://shopify/CartLine/9', VARIANT)]});
    assert.equal(currentView(api, offered, SETTINGS).checked, true);
  });

  test('is hidden and adds nothing when the checkout cannot add lines', async () => {
    const api = checkout({canAddCartLine: false});
    assert.equal(currentView(api, offered, SETTINGS).visible, false);
    assert.deepEqual(await setProtection(api, true, SETTINGS), {type: 'noop'});
    assert.deepEqual(api.calls, []);
  });

  test('is hidden when the policy offers no protection for the address', () => {
    const api = checkout();
    assert.equal(currentView(api, notOffered, SETTINGS).visible, false);
    assert.equal(currentView(api, null, SETTINGS).visible, false);
  });

  test('is hidden, and adds nothing, until the shop settings arrive or without a variant in them', async () => {
    const api = checkout();
    for (const settings of [null, {...SETTINGS, protection_variant_id: null}]) {
      assert.equal(currentView(api, offered, settings).visible, false);
      assert.deepEqual(await setProtection(api, true, settings), {type: 'noop'});
    }
    assert.deepEqual(api.calls, []);
  });

  test('the numeric id from Settings and a GID both mean the variant', async () => {
    const api = checkout();
    await setProtection(api, true, {protection_variant_id: VARIANT});
    await setProtection(api, false, SETTINGS);
    assert.deepEqual(api.calls.map((c) => c.merchandiseId || c.type), [VARIANT, 'removeCartLine']);
  });

  test('the variant comes from the backend, not from an extension setting', async () => {
    const api = checkout({settings: {protection_variant: 'gid://shopify/ProductVariant/1'}});  // ignored
    const fetchImpl = fakeFetch({'/api/v1/shop-settings': [200, SETTINGS]});
    const savedUrl = process.env.APP_URL;
    process.env.APP_URL = 'https://app.example.com';
    try {
      const settings = await fetchShopSettings(api, fetchImpl);
      await setProtection(api, true, settings);
    } finally {
      if (savedUrl === undefined) delete process.env.APP_URL;
      else process.env.APP_URL = savedUrl;
    }
    const [req] = fetchImpl.requests;
    assert.equal(req.url, 'https://app.example.com/api/v1/shop-settings');
    assert.equal(req.method, 'GET');
    assert.equal(req.headers.Authorization, 'Bearer header.payload.signature');
    assert.equal(api.calls[0].merchandiseId, VARIANT);
  });

  test('shop settings that cannot be read reject, so the toggle stays hidden', async () => {
    const api = checkout({settings: {app_url: 'https://app.example.com'}});
    await assert.rejects(fetchShopSettings(api, fakeFetch({'/api/v1/shop-settings': [401, {}]})), /401/);
  });

  test('protection is kept while the decision cannot see the address', async () => {
    const api = checkout({lines: [SHOE, cartLine('gid://shopify/CartLine/9', VARIANT)]});
    await dropStale(api, {...notOffered, unknown_facts: ['shipping_address']}, SETTINGS);
    assert.deepEqual(api.calls, []);
  });

  test('protection the new address no longer offers is removed, never added', async () => {
    const api = checkout({lines: [SHOE, cartLine('gid://shopify/CartLine/9', VARIANT)]});
    await dropStale(api, notOffered, SETTINGS);
    assert.deepEqual(api.calls, [{type: 'removeCartLine', id: 'gid://shopify/CartLine/9', quantity: 1}]);
    await dropStale(api, notOffered, SETTINGS);
    assert.equal(api.calls.length, 1);
  });
});

describe('line notices', () => {
  const decision = {
    lines: [
      {line_item_id: 'gid://shopify/CartLine/1', class: 'final_sale'},
      {line_item_id: 'gid://shopify/CartLine/2', class: 'credit_only'},
      {line_item_id: 'gid://shopify/CartLine/3', class: 'standard'},
    ],
  };
  test('match each line class of the decision', () => {
    assert.equal(lineNoticeKey(decision, 'gid://shopify/CartLine/1'), 'line.final_sale');
    assert.equal(lineNoticeKey(decision, 'gid://shopify/CartLine/2'), 'line.credit_only');
    assert.equal(lineNoticeKey(decision, 'gid://shopify/CartLine/3'), null);
    assert.equal(lineNoticeKey(decision, 'gid://shopify/CartLine/404'), null);
    assert.equal(lineNoticeKey(null, 'gid://shopify/CartLine/1'), null);
  });
});

describe('address step', () => {
  const blocked = {blocked: [{rule: 'no-po-box', message: 'We do not ship to P.O. boxes.'}]};
  test('blocks only when the merchant allows it and checkout lets the extension block', () => {
    assert.deepEqual(addressInterception({decision: blocked, allowBlocking: true, canBlockProgress: true}), {
      behavior: 'block', reason: 'fineprint-blocked-address', errors: [{message: 'We do not ship to P.O. boxes.'}],
    });
    assert.equal(addressInterception({decision: blocked, allowBlocking: false, canBlockProgress: true}).behavior, 'allow');
    assert.equal(addressInterception({decision: blocked, allowBlocking: true, canBlockProgress: false}).behavior, 'allow');
    assert.equal(addressInterception({decision: {blocked: []}, allowBlocking: true, canBlockProgress: true}).behavior, 'allow');
  });
});

describe('unknown shipping address (protected customer data, or not entered yet)', () => {
  const unknown = {
    unknown_facts: ['shipping_address'], signature_required: true,
    blocked: [{rule: 'no-po-box', message: 'We do not ship to P.O. boxes.'}],
  };
  test('hides the P.O.-box and country refusals and never blocks', () => {
    assert.deepEqual(blockingErrors(unknown), []);
    assert.equal(addressInterception({decision: unknown, allowBlocking: true, canBlockProgress: true}).behavior, 'allow');
  });

  test('hides the signature notice, which shows for a known address', () => {
    assert.equal(signatureNotice(unknown), false);
    assert.equal(signatureNotice({...unknown, unknown_facts: []}), true);
    assert.equal(signatureNotice({signature_required: false}), false);
  });

  test('sends no address at all rather than an empty one', () => {
    const lines = [cartLine('gid://shopify/CartLine/1', 'gid://shopify/ProductVariant/7')];
    for (const address of [undefined, null, {}, {countryCode: '', address1: '  '}]) {
      const body = decisionRequest({lines, address, currency: 'USD'});
      assert.equal('shipping_address' in body.order, false, JSON.stringify(address));
    }
  });

  test('a fetch from a checkout without an address posts no shipping_address', async () => {
    const api = checkout({settings: {app_url: 'https://app.example.com'}});
    const fetchImpl = fakeFetch({'/api/v1/decisions': [200, offered]});
    const body = decisionRequest({lines: api.lines.value, address: api.shippingAddress.value});
    await fetchDecision(api, body, fetchImpl);
    assert.equal(JSON.parse(fetchImpl.requests[0].body).order.shipping_address, undefined);
  });
});

describe('decision request', () => {
  test('is a cart: variant ids, unit prices, the address, created now, no fulfillments', () => {
    const now = new Date('2025-03-01T12:00:00Z');
    const body = decisionRequest({
      lines: [cartLine('gid://shopify/CartLine/1', 'gid://shopify/ProductVariant/7', {quantity: 2, amount: 12.5})],
      address: {countryCode: 'US', provinceCode: 'CA', address1: 'PO Box 12', city: 'LA', zip: '90012'},
      currency: 'USD', now,
    });
    assert.equal(body.policy, undefined);
    assert.equal(body.order.created_at, '2025-03-01T12:00:00.000Z');
    assert.equal(body.order.fulfillments, undefined);
    assert.deepEqual(body.order.line_items, [
      {id: 'gid://shopify/CartLine/1', variant_id: 'gid://shopify/ProductVariant/7', quantity: 2, price: '12.50'},
    ]);
    assert.deepEqual(body.order.shipping_address,
      {country_code: 'US', province_code: 'CA', address1: 'PO Box 12', city: 'LA', zip: '90012'});
  });

  test('is POSTed with the session token to the configured app URL', async () => {
    const api = checkout({settings: {app_url: 'https://staging.example.com/'}});
    const fetchImpl = fakeFetch({'/api/v1/decisions': [200, offered]});
    const decision = await fetchDecision(api, {order: {}}, fetchImpl);
    assert.deepEqual(decision, offered);
    const [req] = fetchImpl.requests;
    assert.equal(req.url, 'https://staging.example.com/api/v1/decisions');
    assert.equal(req.method, 'POST');
    assert.equal(req.headers.Authorization, 'Bearer header.payload.signature');
  });

  test('without an app_url setting it calls the URL the build baked in (APP_URL)', async () => {
    const api = checkout();
    const saved = process.env.APP_URL;
    process.env.APP_URL = 'https://fineprint.example.net/';
    try {
      const fetchImpl = fakeFetch({'/api/v1/decisions': [200, offered]});
      await fetchDecision(api, {order: {}}, fetchImpl);
      assert.equal(fetchImpl.requests[0].url, 'https://fineprint.example.net/api/v1/decisions');
    } finally {
      if (saved === undefined) delete process.env.APP_URL;
      else process.env.APP_URL = saved;
    }
  });

  test('with no URL at all it rejects before fetching', async () => {
    const api = checkout();
    const saved = process.env.APP_URL;
    delete process.env.APP_URL;
    try {
      const fetchImpl = fakeFetch({});
      await assert.rejects(fetchDecision(api, {order: {}}, fetchImpl), /no backend URL/);
      assert.equal(fetchImpl.requests.length, 0);
    } finally {
      if (saved !== undefined) process.env.APP_URL = saved;
    }
  });

  test('a failing API rejects, so the UI keeps its last state', async () => {
    const api = checkout({settings: {app_url: 'https://app.example.com'}});
    await assert.rejects(fetchDecision(api, {order: {}}, fakeFetch({'/api/v1/decisions': [422, {}]})));
  });
});

describe('thank-you summary', () => {
  test('counts final-sale and credit-only lines and keeps the deadline', () => {
    const s = returnSummary({
      return_deadline: null,
      return_protection: {offered: true, price: '2.98', purchased: true},
      lines: [
        {class: 'final_sale', resolutions: {}},
        {class: 'credit_only', resolutions: {store_credit: {allowed: true, deadline: null, window: {days: 30, from: 'delivery'}}}},
      ],
    });
    assert.deepEqual(s, {deadline: null, longestWindow: 30, finalSale: 1, creditOnly: 1, protection: true});
  });
});

describe('locales', () => {
  test('every key the extension uses exists in English and French', () => {
    const used = usedKeys(join(here, '..', 'src'));
    assert.ok(used.length >= 10, `found only ${used}`);
    const files = localeFiles(join(here, '..', 'locales'));
    assert.deepEqual(files.map(([f]) => f).sort(), ['en.default.json', 'fr.json']);
    for (const [file, tree] of files) {
      const keys = keysOf(tree);
      for (const key of used) assert.ok(keys.includes(key), `${file} lacks ${key}`);
    }
    assert.deepEqual(keysOf(files[0][1]).sort(), keysOf(files[1][1]).sort());
  });
});
