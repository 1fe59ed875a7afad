import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {chartConfigs} from '../src/chart-config.mjs';

// The shape backend/services/admin/dashboard.py::data produces (tests/integration/test_dashboard.py checks that side).
const DATA = {
  today: '2026-12-03',
  orders: {days: ['2026-12-01', '2026-12-02', '2026-12-03'], total: [1, 0, 2],
    by_tag: {'final-sale': [1, 0, 1], 'signature-required': [1, 0, 0]}},
  deadlines: {days: ['2026-12-02', '2026-12-03', '2026-12-04'], count: [1, 0, 3]},
  totals: {orders: 3, upcoming_deadlines: 3},
};

describe('orders chart', () => {
  const {type, data, options} = chartConfigs(DATA)['orders-chart'];

  test('the first bar counts orders (each once); a bar per tag beside it, never stacked', () => {
    assert.equal(type, 'bar');
    const [orders, ...tags] = data.datasets;
    assert.deepEqual([orders.label, orders.data], ['Orders', [1, 0, 2]]);
    assert.deepEqual(tags.map((t) => [t.type, t.label, t.data]),
      [[undefined, 'with final-sale', [1, 0, 1]], [undefined, 'with signature-required', [1, 0, 0]]]);
    assert.equal(new Set(data.datasets.map((d) => d.backgroundColor)).size, 3);
    assert.equal(options.scales.y.stacked, undefined);
    assert.equal(options.scales.x.stacked, undefined);
  });

  test('the count axis starts at zero with whole-number ticks; days are labelled, today as Today', () => {
    assert.equal(options.scales.y.beginAtZero, true);
    assert.equal(options.scales.y.ticks.precision, 0);
    const label = options.scales.x.ticks.callback;
    assert.deepEqual([0, 2].map((i) => label(i, i)), ['Dec 1', 'Today']);
    assert.equal(options.plugins.tooltip.callbacks.title([{dataIndex: 1}]), 'Dec 2, 2026');
  });
});

describe('deadlines chart', () => {
  test('past days grey, today red, upcoming blue, on the same integer axis', () => {
    const {data, options} = chartConfigs(DATA)['deadlines-chart'];
    assert.deepEqual(data.datasets[0].data, [1, 0, 3]);
    assert.deepEqual(data.datasets[0].backgroundColor, ['#b5b5b5', '#d72c0d', '#2c6ecb']);
    assert.equal(options.scales.y.ticks.precision, 0);
  });
});
