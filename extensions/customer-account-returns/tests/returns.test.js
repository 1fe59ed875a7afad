import assert from 'node:assert/strict';
import {dirname, join} from 'node:path';
import {describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {fakeFetch, fakeShopify} from '../../shared/testing/fake-shopify.mjs';
import {keysOf, localeFiles, usedKeys} from '../../shared/testing/locales.mjs';
import {ApiError, LoginRequired, fetchOptions, fetchPreview, submitReturn} from '../src/api.js';
import {canSubmit, initialPicks, refusals, requestBody, resolutionsOf, summary, updatePick} from '../src/logic.js';

const here = dirname(fileURLToPath(import.meta.url));
const BACKEND = 'https://fineprint.example.com';

// An answer of GET /api/v1/orders/<id>/return-options (backend/services/returns/shopper_actions.py).
const OPTIONS = {
  order_id: '1001',
  currency: 'USD',
  conditions: ['new', 'worn', 'damaged'],
  reasons: [{id: 'gid://shopify/ReturnReasonDefinition/5', handle: 'size-too-small', name: 'Size too small', reason: 'size', mapped: true}],
  lines: [
    {line_item_id: '11', title: 'Court Sneaker', variant_title: 'Size 8', quantity: 2, returnable: true,
      resolutions: {exchange: '2025-01-09', store_credit: '2025-01-09', refund: '2024-12-16'}, deadline: '2025-01-09',
      why_not: [], exchange_variants: [{id: 'gid://shopify/ProductVariant/92', title: 'Size 9', price: '150.00'}]},
    {line_item_id: '12', title: 'Sample Loafer', quantity: 1, returnable: false, resolutions: {}, deadline: null,
      why_not: [{rule: 'final-sale-items', text: 'Items labeled as "final sale" cannot be returned'}], exchange_variants: []},
  ],
};

describe('picks', () => {
  test('only returnable lines get a pick, unselected, with the first resolution, reason and condition', () => {
    const picks = initialPicks(OPTIONS);
    assert.deepEqual(Object.keys(picks), ['11']);
    assert.deepEqual(picks['11'], {selected: false, quantity: 1, resolution: 'refund', reason: OPTIONS.reasons[0].id,
      condition: 'new', variant: 'gid://shopify/ProductVariant/92'});
  });

  test('resolutions keep a stable order whatever the backend sent', () => {
    assert.deepEqual(resolutionsOf(OPTIONS.lines[0]), ['refund', 'store_credit', 'exchange']);
    assert.deepEqual(resolutionsOf(OPTIONS.lines[1]), []);
  });

  test('a final-sale line can never be selected', () => {
    const picks = initialPicks(OPTIONS);
    assert.equal(updatePick(picks, OPTIONS.lines[1], {selected: true}), picks);
    assert.equal(requestBody(OPTIONS, picks), null);
  });

  test('quantities stay between one and what can be returned; an unknown resolution falls back', () => {
    const [line] = OPTIONS.lines;
    let picks = updatePick(initialPicks(OPTIONS), line, {selected: true, quantity: '7'});
    assert.equal(picks['11'].quantity, 2);
    picks = updatePick(picks, line, {quantity: 0, resolution: 'swap'});
    assert.equal(picks['11'].quantity, 1);
    assert.equal(picks['11'].resolution, 'refund');
  });

  test('the request names the selected lines, and the size wanted for an exchange', () => {
    const [line] = OPTIONS.lines;
    const picks = updatePick(initialPicks(OPTIONS), line, {selected: true, resolution: 'exchange', condition: 'worn'});
    assert.deepEqual(requestBody(OPTIONS, picks), {lines: [{line_item_id: '11', quantity: 1, resolution: 'exchange',
      condition: 'worn', reason_definition_id: OPTIONS.reasons[0].id, exchange_variant_id: 'gid://shopify/ProductVariant/92'}]});
  });
});

describe('outcome', () => {
  const preview = {allowed: true, fees: [{kind: 'restocking', amount: '7.50'}, {kind: 'handling', amount: '0.00'}],
    bonus_credit: '10.00', refund_total: '0.00', credit_total: '152.50',
    lines: [{line_item_id: '11', allowed: true, reasons: []}]};

  test('the summary lists fees, bonus credit and totals that are not zero', () => {
    assert.deepEqual(summary(preview), [
      {key: 'fee.restocking', amount: '7.50'}, {key: 'total.bonus_credit', amount: '10.00'},
      {key: 'total.credit_total', amount: '152.50'}]);
    assert.deepEqual(summary(null), []);
  });

  test('a refused line carries the policy sentences', () => {
    const refused = {...preview, allowed: false, lines: [{line_item_id: '11', allowed: false,
      reasons: [{rule: 'worn-items', text: 'Worn items cannot be returned.'}]}]};
    assert.deepEqual(refusals(refused), {'11': ['Worn items cannot be returned.']});
    assert.equal(canSubmit({lines: [{resolution: 'refund'}]}, refused), false);
  });

  test('submit needs a pick, an allowing preview, and a size for each exchange', () => {
    assert.equal(canSubmit(null, preview), false);
    assert.equal(canSubmit({lines: [{resolution: 'refund'}]}, preview), true);
    assert.equal(canSubmit({lines: [{resolution: 'exchange', exchange_variant_id: null}]}, preview), false);
  });
});

describe('backend calls', () => {
  const api = () => fakeShopify({settings: {app_url: BACKEND}});

  test('options are read with the session token from the order GID', async () => {
    const fetchImpl = fakeFetch({'/api/v1/orders/1001/return-options': [200, OPTIONS]});
    assert.deepEqual(await fetchOptions(api(), 'gid://shopify/Order/1001', fetchImpl), OPTIONS);
    assert.equal(fetchImpl.requests[0].url, `${BACKEND}/api/v1/orders/1001/return-options`);
    assert.equal(fetchImpl.requests[0].headers.Authorization, 'Bearer header.payload.signature');
  });

  test('a preview and a submission post the picks as JSON', async () => {
    const fetchImpl = fakeFetch({'/api/v1/orders/1001/return-preview': [200, {allowed: true}],
      '/api/v1/orders/1001/returns': [201, {returns: []}]});
    const body = {lines: [{line_item_id: '11', quantity: 1, resolution: 'refund', condition: 'new'}]};
    await fetchPreview(api(), 'gid://shopify/Order/1001', body, fetchImpl);
    await submitReturn(api(), 'gid://shopify/Order/1001', body, fetchImpl);
    assert.deepEqual(fetchImpl.requests.map((r) => [r.method, JSON.parse(r.body)]), [['POST', body], ['POST', body]]);
  });

  test('a guest is told to sign in; a refusal keeps the message and field details', async () => {
    const guest = fakeFetch({'/api/v1/orders/1/return-options': [403, {error: {code: 'customer_login_required'}}]});
    await assert.rejects(fetchOptions(api(), '1', guest), LoginRequired);
    const refused = fakeFetch({'/api/v1/orders/1/returns': [422, {error: {code: 'invalid_request',
      message: 'the policy does not allow part of this return', details: [{field: 'lines[0]', message: 'final sale'}]}}]});
    const error = await submitReturn(api(), '1', {lines: []}, refused).catch((e) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.message, 'the policy does not allow part of this return');
    assert.deepEqual(error.details, [{field: 'lines[0]', message: 'final sale'}]);
  });
});

describe('locales', () => {
  test('every key used, and every dynamic family, exists in English and French alike', () => {
    const files = localeFiles(join(here, '..', 'locales'));
    assert.deepEqual(files.map(([f]) => f).sort(), ['en.default.json', 'fr.json']);
    const dynamic = ['resolution.refund', 'resolution.store_credit', 'resolution.exchange', 'condition.new',
      'condition.worn', 'condition.damaged', 'fee.restocking', 'fee.handling', 'fee.label', 'fee.return_shipping',
      'total.bonus_credit', 'total.refund_total', 'total.credit_total', 'done.refund', 'done.store_credit', 'done.exchange'];
    const used = [...usedKeys(join(here, '..', 'src')), ...dynamic];
    for (const [file, tree] of files) {
      const keys = keysOf(tree);
      for (const key of used) assert.ok(keys.includes(key), `${file} lacks ${key}`);
    }
    assert.deepEqual(keysOf(files[0][1]).sort(), keysOf(files[1][1]).sort());
  });
});
