// Talks to Fineprint's decision API with the checkout session token.
import {endpoint} from '../../shared/backend-url.js';

/** POST /api/v1/decisions; resolves to the §6 decision, rejects on any failure. */
export async function fetchDecision(api, body, fetchImpl = fetch) {
  const url = endpoint(api, '/api/v1/decisions');
  const token = await api.sessionToken.get();
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Authorization: `Bearer ${token}`},
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`decision API answered ${res.status}`);
  return res.json();
}
