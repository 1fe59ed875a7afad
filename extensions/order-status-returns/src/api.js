// GET /api/v1/orders/<numeric id>/decision with the customer-account session token.
import {APP_URL} from './app-url.generated.js';
import {numericId} from './logic.js';

export function appUrl(api) {
  const setting = typeof api.settings?.value?.app_url === 'string' ? api.settings.value.app_url.trim() : '';
  return (setting || APP_URL).replace(/\/+$/, '');
}

/** Resolves to the decision, to null for an order the app does not know (404); rejects otherwise. */
export async function fetchOrderDecision(api, orderId, fetchImpl = fetch) {
  const id = numericId(orderId);
  if (!id) return null;
  const token = await api.sessionToken.get();
  const res = await fetchImpl(`${appUrl(api)}/api/v1/orders/${id}/decision`, {
    headers: {Authorization: `Bearer ${token}`},
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`decision API answered ${res.status}`);
  return res.json();
}
