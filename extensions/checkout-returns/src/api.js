// Talks to Fineprint's decision API with the checkout session token.
import {APP_URL} from './app-url.generated.js';
import {resolveAppUrl} from './logic.js';

export function appUrl(api) {
  return resolveAppUrl(api.settings?.value, APP_URL);
}

/** POST /api/v1/decisions; resolves to the §6 decision, rejects on any failure. */
export async function fetchDecision(api, body, fetchImpl = fetch) {
  const token = await api.sessionToken.get();
  const res = await fetchImpl(`${appUrl(api)}/api/v1/decisions`, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Authorization: `Bearer ${token}`},
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`decision API answered ${res.status}`);
  return res.json();
}
