import {render} from 'preact';
import {signatureNotice} from './logic.js';
import {useDecision} from './useDecision.js';

export default async () => {
  render(<Signature />, document.body);
};

function Signature() {
  const {decision} = useDecision(shopify);
  if (!signatureNotice(decision)) return null;
  return <s-banner tone="info">{shopify.i18n.translate('signature.notice')}</s-banner>;
}
