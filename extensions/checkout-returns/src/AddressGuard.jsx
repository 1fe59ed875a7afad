import {render} from 'preact';
import {useEffect, useRef} from 'preact/hooks';
import {addressInterception, blockingErrors} from './logic.js';
import {useSubscribe} from '../../shared/signals.js';
import {useDecision} from './useDecision.js';

export default async () => {
  render(<AddressGuard />, document.body);
};

function AddressGuard() {
  useSubscribe(shopify.settings);
  const {decision} = useDecision(shopify);
  const latest = useRef(decision);
  latest.current = decision;
  const allowBlocking = Boolean(shopify.settings.value?.allow_blocking);

  useEffect(() => {
    let teardown;
    shopify.buyerJourney
      .intercept(({canBlockProgress}) =>
        addressInterception({decision: latest.current, allowBlocking, canBlockProgress}),
      )
      .then((remove) => (teardown = remove));
    return () => teardown && teardown();
  }, [allowBlocking]);

  const errors = blockingErrors(decision);
  if (!errors.length) return null;
  const tone = allowBlocking ? 'critical' : 'warning';
  return (
    <s-banner tone={tone} heading={shopify.i18n.translate(allowBlocking ? 'blocked.heading' : 'blocked.warning')}>
      {errors.map((e) => (
        <s-text>{e.message}</s-text>
      ))}
    </s-banner>
  );
}
