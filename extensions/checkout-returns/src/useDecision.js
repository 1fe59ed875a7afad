// Preact hook: the decision for the current cart and address, refetched when they change.
import {useEffect, useState} from 'preact/hooks';
import {fetchDecision} from './api.js';
import {decisionRequest, requestKey} from './logic.js';
import {useSubscribe} from '../../shared/signals.js';

export function currentRequest(api) {
  return decisionRequest({
    lines: api.lines?.value || [],
    address: api.shippingAddress?.value,
    currency: api.cost?.totalAmount?.value?.currencyCode,
  });
}

export function useDecision(api, delayMs = 250) {
  useSubscribe(api.lines, api.shippingAddress, api.cost?.totalAmount);
  const body = currentRequest(api);
  const key = requestKey(body);
  const [state, setState] = useState({decision: null, error: null, loading: true});
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      fetchDecision(api, body)
        .then((decision) => live && setState({decision, error: null, loading: false}))
        .catch((error) => live && setState((s) => ({...s, error, loading: false})));
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  return state;
}
