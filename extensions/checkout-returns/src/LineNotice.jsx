import {render} from 'preact';
import {lineNoticeKey} from './logic.js';
import {useSubscribe} from '../../shared/signals.js';
import {useDecision} from './useDecision.js';

export default async () => {
  render(<LineNotice />, document.body);
};

function LineNotice() {
  useSubscribe(shopify.target);
  const {decision} = useDecision(shopify);
  const key = lineNoticeKey(decision, shopify.target.value?.id);
  if (!key) return null;
  return <s-text tone={key === 'line.final_sale' ? 'critical' : 'warning'}>{shopify.i18n.translate(key)}</s-text>;
}
