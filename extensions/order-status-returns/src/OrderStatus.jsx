import {render} from 'preact';
import {useEffect, useState} from 'preact/hooks';
import {loadDecision, signIn} from './load.js';
import {fees, todayIn, withTitles} from './logic.js';
import {useSubscribe} from '../../shared/signals.js';

export default async () => {
  render(<OrderStatus />, document.body);
};

function OrderStatus() {
  useSubscribe(shopify.order, shopify.lines);
  const orderId = shopify.order.value?.id;
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState({decision: null, loading: true, failed: false, loginRequired: false});
  useEffect(() => {
    let live = true;
    loadDecision(shopify, orderId).then((next) => live && setState({...next, loading: false}));
    return () => {
      live = false;
    };
  }, [orderId, attempt]);

  const t = shopify.i18n.translate;
  if (state.loading) return null;
  if (state.loginRequired) return <SignIn onSignedIn={() => setAttempt((n) => n + 1)} />;
  if (state.failed) return <s-banner tone="warning">{t('error')}</s-banner>;
  if (!state.decision) return null;
  const zone = shopify.localization?.timezone?.value;
  const lines = withTitles(state.decision, shopify.lines.value, todayIn(zone));
  const extra = fees(state.decision);
  return (
    <s-section heading={t('heading')}>
      <s-stack gap="base">
        {lines.map((line, i) => (
          <Line line={line} index={i} />
        ))}
        {lines.some((line) => line.state === 'open') && (
          // Shopify offers no link into an order action's modal (only full-page extensions have URLs):
          // the hint names the "Return or exchange" button of this page's order actions menu
          // (extensions/customer-account-returns), which opens it.
          <s-text id="fineprint-return-action">{t('action_hint', {action: t('action')})}</s-text>
        )}
        {extra.map((fee) => (
          <s-text color="subdued">
            {t(`fee.${fee.kind}`, {amount: shopify.i18n.formatCurrency(Number(fee.amount))})}
          </s-text>
        ))}
      </s-stack>
    </s-section>
  );
}

/** A buyer who opened the order from its e-mail link signs in before seeing return dates. */
function SignIn({onSignedIn}) {
  const t = shopify.i18n.translate;
  const click = async () => {
    await signIn(shopify);
    onSignedIn();
  };
  return (
    <s-section heading={t('heading')}>
      <s-stack gap="small-200">
        <s-text>{t('login.message')}</s-text>
        <s-button onClick={click}>{t('login.action')}</s-button>
      </s-stack>
    </s-section>
  );
}

function date(iso) {
  return shopify.i18n.formatDate(new Date(`${iso}T00:00:00Z`), {timeZone: 'UTC', dateStyle: 'long'});
}

function Line({line, index}) {
  const t = shopify.i18n.translate;
  const title = line.title || t('item', {number: index + 1});
  return (
    <s-stack gap="small-300">
      <s-text type="strong">{title}</s-text>
      {line.state === 'final_sale' && <s-badge tone="critical">{t('state.final_sale')}</s-badge>}
      {line.state === 'closed' && <s-text color="subdued">{t('state.closed', {date: date(line.closedOn)})}</s-text>}
      {line.state === 'none' && <s-text color="subdued">{t('state.none')}</s-text>}
      {line.state === 'not_delivered' && <s-text>{t('state.not_delivered')}</s-text>}
      {line.state === 'not_delivered' &&
        line.resolutions.map((r) => (
          <s-text color="subdued">{t(`window.${r.from}`, {count: r.days, resolution: t(`resolution.${r.kind}`)})}</s-text>
        ))}
      {line.state === 'open' && <s-text>{t('state.open', {date: date(line.returnBy)})}</s-text>}
      {line.state === 'open' &&
        line.resolutions.map((r) => (
          <s-text color="subdued">{t('resolution_until', {resolution: t(`resolution.${r.kind}`), date: date(r.deadline)})}</s-text>
        ))}
    </s-stack>
  );
}
