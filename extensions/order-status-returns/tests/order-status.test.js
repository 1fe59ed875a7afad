import assert from 'node:assert/strict';
import {dirname, join} from 'node:path';
import {describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {cartLine, fakeFetch, fakeShopify} from '../../shared/testing/fake-shopify.mjs';
import {keysOf, localeFiles, usedKeys} from '../../shared/testing/locales.mjs';
import {LoginRequired, fetchOrderDecision} from '../src/api.js';
import {loadDecision, signIn} from '../src/load.js';
import {fees, lineState, numericId, todayIn, withTitles} from '../src/logic.js';

const here = dirname(fileURLToPath(import.meta.url));
const TODAY = '2025-01-01';
const win = (days, from = 'delivery') => ({days, from});
const never = {allowed: false, deadline: null, window: null};

const line = (resolutions, cls = 'standard', id = '11') => ({line_item_id: id, class: cls, resolutions});

describe('order-status states', () => {
  test('open: the latest allowed deadline is the return-by date, with what remains', () => {
    const s = lineState(line({
      refund: {allowed: true, deadline: '2025-01-05', window: win(21)},
      store_credit: {allowed: true, deadline: '2025-01-20', window: win(45)},
      exchange: never,
    }), TODAY);
    assert.equal(s.state, 'open');
    assert.equal(s.returnBy, '2025-01-20');
    assert.deepEqual(s.resolutions, [
      {kind: 'refund', deadline: '2025-01-05'},
      {kind: 'store_credit', deadline: '2025-01-20'},
    ]);
  });

  test('open drops a resolution whose own deadline passed', () => {
    const s = lineState(line({
      refund: {allowed: false, deadline: '2024-12-16', window: win(21)},
      store_credit: {allowed: true, deadline: '2025-01-09', window: win(45)},
      exchange: never,
    }), TODAY);
    assert.equal(s.state, 'open');
    assert.deepEqual(s.resolutions.map((r) => r.kind), ['store_credit']);
  });

  test('not delivered yet: deadline null while the window is known', () => {
    const s = lineState(line({
      refund: {allowed: true, deadline: null, window: win(14)},
      store_credit: never,
      exchange: {allowed: true, deadline: null, window: win(30)},
    }), TODAY);
    assert.equal(s.state, 'not_delivered');
    assert.deepEqual(s.resolutions, [
      {kind: 'refund', days: 14, from: 'delivery'},
      {kind: 'exchange', days: 30, from: 'delivery'},
    ]);
  });

  test('window closed: not allowed, window present, deadline past', () => {
    const s = lineState(line({
      refund: {allowed: false, deadline: '2024-12-16', window: win(21)},
      store_credit: {allowed: false, deadline: '2024-12-20', window: win(25)},
      exchange: never,
    }), TODAY);
    assert.equal(s.state, 'closed');
    assert.equal(s.closedOn, '2024-12-20');
  });

  test('final sale wins over any window', () => {
    const s = lineState(line({refund: never, store_credit: never, exchange: never}, 'final_sale'), TODAY);
    assert.equal(s.state, 'final_sale');
  });

  test('a line with no window at all is not returnable', () => {
    assert.equal(lineState(line({refund: never, store_credit: never, exchange: never}, 'external'), TODAY).state, 'none');
  });

  test('the protection fee line is not listed; titles come from the order lines by id', () => {
    const decision = {lines: [
      line({refund: never, store_credit: never, exchange: never}, 'final_sale', 'gid://shopify/LineItem/77'),
      line({refund: never, store_credit: never, exchange: never}, 'protection', 'gid://shopify/LineItem/78'),
    ]};
    const orderLines = [cartLine('gid://shopify/CartLine/78', 'v2', {title: 'Protection'}),
      cartLine('gid://shopify/CartLine/77', 'v1', {title: 'Tote'})];
    const rows = withTitles(decision, orderLines, TODAY);
    assert.deepEqual(rows.map((r) => [r.title, r.state]), [['Tote', 'final_sale']]);
  });

  test('fees are shown when the decision reports them', () => {
    assert.deepEqual(fees({return: {fees: [{kind: 'restocking', amount: '15.00'}]}}), [{kind: 'restocking', amount: '15.00'}]);
    assert.deepEqual(fees({}), []);
  });

  test('today is taken in the shop time zone', () => {
    const now = new Date('2025-01-01T03:00:00Z');
    assert.equal(todayIn('America/Los_Angeles', now), '2024-12-31');
    assert.equal(todayIn('Not/AZone', now), '2025-01-01');
  });
});

const APP = {app_url: 'https://fineprint.example.net'};

describe('order decision fetch', () => {
  test('asks for the numeric order id with the session token', async () => {
    const api = fakeShopify({settings: APP});
    const fetchImpl = fakeFetch({'/api/v1/orders/1001/decision': [200, {lines: []}]});
    assert.deepEqual(await fetchOrderDecision(api, 'gid://shopify/Order/1001', fetchImpl), {lines: []});
    assert.equal(fetchImpl.requests[0].url, 'https://fineprint.example.net/api/v1/orders/1001/decision');
    assert.equal(fetchImpl.requests[0].headers.Authorization, 'Bearer header.payload.signature');
  });

  test('an order the app does not know shows nothing (404 -> null)', async () => {
    const api = fakeShopify({settings: APP});
    assert.equal(await fetchOrderDecision(api, 'gid://shopify/Order/5', fakeFetch({})), null);
    assert.equal(await fetchOrderDecision(api, undefined, fakeFetch({})), null);
  });

  test('a guest on the pre-authenticated page gets the sign-in prompt, not an error', async () => {
    const api = fakeShopify({settings: APP});
    const guest = fakeFetch({'/api/v1/orders/1001/decision': [403, {error: {code: 'customer_login_required',
      message: 'Sign in to see this order', details: null}}]});
    await assert.rejects(fetchOrderDecision(api, 'gid://shopify/Order/1001', guest), LoginRequired);
    assert.deepEqual(await loadDecision(api, 'gid://shopify/Order/1001', guest),
      {decision: null, loginRequired: true, failed: false});
    assert.deepEqual(api.calls, [], 'the prompt waits for the buyer\'s click');
    await signIn(api);
    assert.deepEqual(api.calls, [{type: 'requireLogin'}]);
  });

  test('another 403 (another customer\'s order) or a 401 is a warning, never a sign-in prompt', async () => {
    const api = fakeShopify({settings: APP});
    for (const [status, body] of [[403, {error: {code: 'forbidden'}}], [401, {error: {code: 'invalid_session_token'}}]]) {
      const answer = fakeFetch({'/api/v1/orders/1001/decision': [status, body]});
      assert.deepEqual(await loadDecision(api, '1001', answer), {decision: null, loginRequired: false, failed: true});
    }
  });

  test('a decision loads as such', async () => {
    const api = fakeShopify({settings: APP});
    const ok = fakeFetch({'/api/v1/orders/1001/decision': [200, {lines: []}]});
    assert.deepEqual(await loadDecision(api, '1001', ok), {decision: {lines: []}, loginRequired: false, failed: false});
  });

  test('numeric ids come from GIDs or plain ids', () => {
    assert.equal(numericId('gid://shopify/Order/820982911946154508'), '820982911946154508');
    assert.equal(numericId('42'), '42');
    assert.equal(numericId(null), null);
  });
});

describe('locales', () => {
  test('every key used, and every dynamic family, exists in English and French alike', () => {
    const files = localeFiles(join(here, '..', 'locales'));
    assert.deepEqual(files.map(([f]) => f).sort(), ['en.default.json', 'fr.json']);
    const dynamic = ['fee.restocking', 'fee.handling', 'resolution.refund', 'resolution.store_credit',
      'resolution.exchange', 'window.delivery', 'window.shipment', 'window.order'];
    const used = [...usedKeys(join(here, '..', 'src')), ...dynamic];
    for (const [file, tree] of files) {
      const keys = keysOf(tree);
      for (const key of used) assert.ok(keys.includes(key), `${file} lacks ${key}`);
    }
    assert.deepEqual(keysOf(files[0][1]).sort(), keysOf(files[1][1]).sort());
  });
});
