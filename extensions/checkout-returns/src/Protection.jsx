import {render} from 'preact';
import {useEffect, useState} from 'preact/hooks';
import {currentView, dropStale, setProtection} from './protection.js';
import {useSubscribe} from '../../shared/signals.js';
import {useDecision} from './useDecision.js';
import {useShopSettings} from './useShopSettings.js';

export default async () => {
  render(<Protection />, document.body);
};

function Protection() {
  useSubscribe(shopify.instructions);
  const {decision} = useDecision(shopify);
  const shopSettings = useShopSettings(shopify);
  const view = currentView(shopify, decision, shopSettings);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (view.stale) dropStale(shopify, decision, shopSettings);
  }, [view.stale]);

  if (!view.visible) return null;

  const toggle = async () => {
    setBusy(true);
    setFailed(false);
    const result = await setProtection(shopify, !view.checked, shopSettings);
    setFailed(result.type === 'error');
    setBusy(false);
  };
  const {i18n} = shopify;
  const price = view.price ? i18n.formatCurrency(Number(view.price)) : '';
  return (
    <s-stack gap="small-200">
      <s-checkbox
        checked={view.checked}
        disabled={busy}
        label={i18n.translate('protection.label', {price})}
        onChange={toggle}
      />
      <s-text color="subdued">{i18n.translate('protection.help')}</s-text>
      {failed && <s-banner tone="critical">{i18n.translate('protection.error')}</s-banner>}
    </s-stack>
  );
}
