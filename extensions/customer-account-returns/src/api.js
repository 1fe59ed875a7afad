// The backend's self-serve return endpoints, called with the customer-account session token:
// GET  /api/v1/orders/<id>/return-options   lines, deadlines, resolutions, reasons, conditions
// POST /api/v1/orders/<id>/return-preview   the policy's outcome of the picks
// POST /api/v1/orders/<id>/returns          the Shopify return(s) they become
import {endpoint} from '../../shared/backend-url.js';
import {numericId} from './logic.js';

/** 403 `customer_login_required`: a guest must sign in first (Shopify's `requireLogin` where it exists). */
export class LoginRequired extends Error {
  constructor() {
    super('customer_login_required');
    this.name = 'LoginRequired';
  }
}

/** The backend refused: its envelope's message and field details, kept for the shopper. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `the backend answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.details = Array.isArray(error?.details) ? error.details : [];
  }
}

async function call(api, orderId, path, body, fetchImpl) {
  const id = numericId(orderId);
  if (!id) throw new ApiError(404, {message: 'no order'});
  const token = await api.sessionToken.get();
  const init = {headers: {Authorization: `Bearer ${token}`}};
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetchImpl(endpoint(api, `/api/v1/orders/${id}/${path}`), init);
  let payload = null;
  try {
    payload = await res.json();
  } catch {
    payload = null;
  }
  if (res.status === 403 && payload?.error?.code === 'customer_login_required') throw new LoginRequired();
  if (!res.ok) throw new ApiError(res.status, payload?.error);
  return payload;
}

export const fetchOptions = (api, orderId, fetchImpl = fetch) => call(api, orderId, 'return-options', undefined, fetchImpl);
export const fetchPreview = (api, orderId, body, fetchImpl = fetch) => call(api, orderId, 'return-preview', body, fetchImpl);
export const submitReturn = (api, orderId, body, fetchImpl = fetch) => call(api, orderId, 'returns', body, fetchImpl);
