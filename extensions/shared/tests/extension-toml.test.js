import assert from 'node:assert/strict';
import {readFileSync, readdirSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {parse} from 'smol-toml';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const tomls = readdirSync(root, {withFileTypes: true})
  .filter((d) => d.isDirectory() && d.name !== 'shared' && d.name !== 'node_modules')
  .map((d) => [d.name, parse(readFileSync(join(root, d.name, 'shopify.extension.toml'), 'utf8'))]);

test('every UI extension that calls the backend declares network_access, on API 2026-01 or later', () => {
  const ui = tomls.filter(([, toml]) => (toml.extensions || []).some((e) => e.type === 'ui_extension'));
  assert.deepEqual(ui.map(([name]) => name).sort(), ['checkout-returns', 'customer-account-returns', 'order-status-returns']);
  for (const [name, toml] of ui) {
    assert.ok(toml.api_version >= '2026-01', `${name}: api_version ${toml.api_version}`);
    for (const extension of toml.extensions) {
      assert.equal(extension.capabilities?.network_access, true, `${name}/${extension.handle} lacks network_access`);
      const setting = (extension.settings?.fields || []).find((f) => f.key === 'app_url');
      assert.ok(setting, `${name}/${extension.handle} lacks the app_url override setting`);
    }
  }
});
