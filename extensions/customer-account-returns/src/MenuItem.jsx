import {render} from 'preact';

// The order action menu's button. Without `href`, Shopify opens this extension's
// `customer-account.order.action.render` target (ReturnAction.jsx) as a modal.
export default async () => {
  render(<s-button>{shopify.i18n.translate('menu')}</s-button>, document.body);
};
