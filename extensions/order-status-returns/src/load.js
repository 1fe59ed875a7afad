// What the order-status block shows for one fetch: the decision, nothing, a sign-in
// prompt or a warning. Kept apart from rendering so tests can drive it.
import {LoginRequired, fetchOrderDecision} from './api.js';

/** @returns {Promise<{decision: any, loginRequired: boolean, failed: boolean}>} */
export async function loadDecision(api, orderId, fetchImpl = fetch) {
  try {
    return {decision: await fetchOrderDecision(api, orderId, fetchImpl), loginRequired: false, failed: false};
  } catch (error) {
    const loginRequired = error instanceof LoginRequired;
    return {decision: null, loginRequired, failed: !loginRequired};
  }
}

/**
 * Shopify's sign-in prompt for a buyer on the pre-authenticated order status page:
 * `requireLogin()` of the order-status API (typed in @shopify/ui-extensions 2026.1.5,
 * surfaces/customer-account/api/order-status/order-status.d.ts; Shopify's "Require Login API",
 * shopify.dev/docs/api/customer-account-ui-extensions/latest/target-apis/account-apis/require-login-api).
 * Called from the buyer's click, as Shopify's examples do, never on render.
 */
export async function signIn(api) {
  await api.requireLogin();
}
