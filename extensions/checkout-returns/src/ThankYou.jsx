import {render} from 'preact';
import {returnSummary} from './logic.js';
import {useDecision} from './useDecision.js';

export default async () => {
  render(<ThankYou />, document.body);
};

function ThankYou() {
  const {decision} = useDecision(shopify);
  if (!decision) return null;
  const s = returnSummary(decision);
  const t = shopify.i18n.translate;
  const date = (iso) => shopify.i18n.formatDate(new Date(`${iso}T00:00:00Z`), {timeZone: 'UTC', dateStyle: 'long'});
  return (
    <s-section heading={t('summary.heading')}>
      <s-stack gap="small-200">
        {s.deadline && <s-text>{t('summary.deadline', {date: date(s.deadline)})}</s-text>}
        {!s.deadline && s.longestWindow && <s-text>{t('summary.window', {count: s.longestWindow})}</s-text>}
        {s.finalSale > 0 && <s-text>{t('summary.final_sale', {count: s.finalSale})}</s-text>}
        {s.creditOnly > 0 && <s-text>{t('summary.credit_only', {count: s.creditOnly})}</s-text>}
        {s.protection && <s-text>{t('summary.protection')}</s-text>}
      </s-stack>
    </s-section>
  );
}
