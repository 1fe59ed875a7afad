import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {BuildUrlError, applicationUrl, bundlesCalling, deployUrl, isLocalHost} from '../build-url.mjs';
import {builtAppUrl, resolveAppUrl} from '../backend-url.js';

const TOML = 'client_id = "x"\napplication_url = "https://fineprint.example.com/"  # APP_URL\n';
const LOCAL = ['http://127.0.0.1:8000', 'http://localhost:8000', 'https://localhost', 'http://[::1]:8000',
  'https://192.168.1.20', 'https://10.0.0.5', 'https://172.20.0.1', 'https://shop.local', 'https://0.0.0.0'];

describe('the backend URL a deployable build bakes in', () => {
  test('is APP_URL when set, without its trailing slash', () => {
    assert.equal(deployUrl({env: {APP_URL: ' https://app.fineprint.io/ '}, appToml: TOML}), 'https://app.fineprint.io');
  });

  test('else application_url from shopify.app.toml', () => {
    assert.equal(deployUrl({env: {}, appToml: TOML}), 'https://fineprint.example.com');
    assert.equal(applicationUrl(TOML), 'https://fineprint.example.com/');
  });

  test('refuses every local URL', () => {
    for (const url of LOCAL) {
      assert.throws(() => deployUrl({env: {APP_URL: url}, appToml: TOML}), BuildUrlError, url);
    }
  });

  test('refuses plain http, a missing URL, and a malformed one', () => {
    assert.throws(() => deployUrl({env: {APP_URL: 'http://fineprint.example.com'}}), /must be https/);
    assert.throws(() => deployUrl({env: {}, appToml: 'client_id = "x"\n'}), /no backend URL/);
    assert.throws(() => deployUrl({env: {APP_URL: 'fineprint'}}), /not a URL/);
    assert.throws(() => deployUrl({env: {}, appToml: 'application_url = '}), /not valid TOML/);
  });

  test('a dev/test build accepts a local http URL (it is never deployed)', () => {
    assert.equal(deployUrl({env: {APP_URL: 'http://127.0.0.1:8000/'}, dev: true}), 'http://127.0.0.1:8000');
    assert.throws(() => deployUrl({env: {APP_URL: 'ftp://127.0.0.1'}, dev: true}), /must be https/);
  });

  test('public hosts are not mistaken for local ones', () => {
    for (const host of ['fineprint.example.com', '172.32.0.1', '8.8.8.8', 'localhost.example.com', '2001:db8::1']) {
      assert.equal(isLocalHost(host), false, host);
    }
  });
});

describe('built bundles', () => {
  test('that name a local URL are found, public ones are not', () => {
    const root = mkdtempSync(join(tmpdir(), 'fineprint-dist-'));
    try {
      for (const [name, text] of [['good', 'fetch("https://fineprint.example.com/api/v1/decisions")'],
        ['bad', 'const u="http://127.0.0.1:8000";fetch(u+"/api")'], ['theme', '']]) {
        mkdirSync(join(root, name, name === 'theme' ? 'assets' : 'dist'), {recursive: true});
        if (name !== 'theme') writeFileSync(join(root, name, 'dist', `${name}.js`), text);
      }
      assert.deepEqual(bundlesCalling(root), [{file: join('bad', 'dist', 'bad.js'), hosts: ['127.0.0.1']}]);
    } finally {
      rmSync(root, {recursive: true, force: true});
    }
  });
});

describe('the URL an extension calls at run time', () => {
  test('a non-empty app_url setting wins over the built-in URL', () => {
    assert.equal(resolveAppUrl({app_url: ' https://staging.example.com/ '}, 'https://app.example.com'), 'https://staging.example.com');
    assert.equal(resolveAppUrl({app_url: '  '}, 'https://app.example.com/'), 'https://app.example.com');
    assert.equal(resolveAppUrl({}, ''), '');
  });

  test('the built-in URL is process.env.APP_URL, which the bundler replaces', () => {
    const saved = process.env.APP_URL;
    process.env.APP_URL = 'https://app.example.com';
    try {
      assert.equal(builtAppUrl(), 'https://app.example.com');
    } finally {
      if (saved === undefined) delete process.env.APP_URL;
      else process.env.APP_URL = saved;
    }
  });
});
