// Checks that every translation key an extension's source uses exists in each locale file.
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';

export function keysOf(tree, prefix = '') {
  return Object.entries(tree).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    const plural = v && typeof v === 'object' && ('one' in v || 'other' in v);
    return v && typeof v === 'object' && !plural ? keysOf(v, key) : [key];
  });
}

export function usedKeys(srcDir) {
  const keys = new Set();
  for (const file of readdirSync(srcDir)) {
    const text = readFileSync(join(srcDir, file), 'utf8');
    for (const m of text.matchAll(/\bt(?:ranslate)?\(\s*['`]([\w.]+)['`]/g)) keys.add(m[1]);
    for (const m of text.matchAll(/'((?:line|summary|protection|signature|blocked)\.[\w.]+)'/g)) keys.add(m[1]);
  }
  return [...keys];
}

export function localeFiles(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))]);
}
