// GET /api/v1/orders/<numeric id>/decision with the customer-account session token.
import {endpoint} from '../../shared/backend-url.js';
import {numericId} from './logic.js';

/**
 * The backend answered 403 `customer_login_required`: the buyer is viewing the
 * pre-authenticated order status page (the token has no `sub`), so the decision
 * needs Shopify's sign-in first (`shopify.requireLogin()`).
 */
export class LoginRequired extends Error {
  constructor() {
    super('customer_login_required');
    this.name = 'LoginRequired';
  }
}

/** The error code of a JSON error envelope, or null. */
async function errorCode(res) {
  try {
    const body = await res.json();
    return body?.error?.code ?? null;
  } catch {
    return null;
  }
}

/**
 * Resolves to the decision, to null for an order the app does not know (404);
 * rejects with LoginRequired when the buyer must sign in, with an Error otherwise.
 */
export async function fetchOrderDecision(api, orderId, fetchImpl = fetch) {
  const id = numericId(orderId);
  if (!id) return null;
  const url = endpoint(api, `/api/v1/orders/${id}/decision`);
  const token = await api.sessionToken.get();
  const res = await fetchImpl(url, {headers: {Authorization: `Bearer ${token}`}});
  if (res.status === 404) return null;
  if (res.status === 403 && (await errorCode(res)) === 'customer_login_required') throw new LoginRequired();
  if (!res.ok) throw new Error(`decision API answered ${res.status}`);
  return res.json();
}
