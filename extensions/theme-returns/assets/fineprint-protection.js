/*
 * Fineprint: return-protection toggle for the cart (Ajax Cart API).
 * The cart is the only state: the box is ticked exactly when the protection
 * variant is in the cart, so reloads and removals elsewhere stay consistent.
 * Nothing is added without the shopper ticking the box. The variant is the one set in the app's
 * admin page (Settings), given with the offer by the app proxy; without one the toggle stays hidden.
 */
(function () {
  'use strict';

  var root = document.querySelector('[data-fineprint-protection]');
  if (!root) return;
  var d = root.dataset;
  var variantId = null; // the admin page's Settings variant, from the proxy's offer (no theme setting)
  var box = root.querySelector('[data-fineprint-toggle]');
  var text = root.querySelector('[data-fineprint-text]');
  var errorEl = root.querySelector('[data-fineprint-error]');
  var offer = null;
  var busy = false;

  function request(url, body) {
    var init = {headers: {Accept: 'application/json'}, credentials: 'same-origin'};
    if (body) {
      init.method = 'POST';
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      if (!res.ok) throw new Error(url + ' ' + res.status);
      return res.json();
    });
  }

  var getCart = function () { return request(d.cart + '.js'); };
  var addLine = function () { return request(d.cartAdd + '.js', {items: [{id: variantId, quantity: 1}]}); };
  var setQuantity = function (key, quantity) { return request(d.cartChange + '.js', {id: key, quantity: quantity}); };

  function protectionLine(cart) {
    if (!variantId) return undefined;
    return (cart.items || []).filter(function (i) { return Number(i.variant_id) === variantId; })[0];
  }

  function otherItems(cart) {
    return (cart.items || []).filter(function (i) { return Number(i.variant_id) !== variantId; }).length;
  }

  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {style: 'currency', currency: currency})
        .format(Number(amount));
    } catch (e) {
      return amount + ' ' + currency;
    }
  }

  // Keeps the cart sane: one protection line at most, none when nothing else is left.
  function normalize(cart) {
    var line = protectionLine(cart);
    if (!line || busy) return Promise.resolve(cart);
    if (!otherItems(cart)) return setQuantity(line.key, 0);
    if (line.quantity !== 1) return setQuantity(line.key, 1);
    return Promise.resolve(cart);
  }

  function render(cart) {
    box.checked = Boolean(protectionLine(cart));
    var offered = Boolean(offer && offer.offered);
    if (offered && offer.price) text.textContent = d.label.replace('{price}', money(offer.price, offer.currency));
    root.hidden = !(offered && variantId && otherItems(cart) > 0);
    root.setAttribute('data-state', box.checked ? 'on' : 'off');
  }

  function sync() {
    return getCart().then(normalize).then(render).catch(function () { /* keep the last state */ });
  }

  function changed() {
    document.dispatchEvent(new CustomEvent('fineprint:cart-changed', {bubbles: true}));
    if (d.reload === 'true' && d.template === 'cart') {
      window.location.reload();
      return true;
    }
    return false;
  }

  function toggle() {
    if (!variantId) return;
    var wanted = box.checked;
    busy = true;
    box.disabled = true;
    errorEl.hidden = true;
    getCart()
      .then(function (cart) {
        var line = protectionLine(cart);
        if (wanted && !line) return addLine();
        if (!wanted && line) return setQuantity(line.key, 0);
        return null;
      })
      .then(function (result) { return result !== null && changed(); })
      .catch(function () {
        errorEl.textContent = d.error;
        errorEl.hidden = false;
      })
      .then(function (reloading) {
        if (reloading === true) return;
        busy = false;
        box.disabled = false;
        sync();
      });
  }

  function mount() {
    var target = d.mount ? document.querySelector(d.mount) : null;
    if (target) target.insertBefore(root, target.firstChild);
    else if (d.template !== 'cart') return false;
    return true;
  }

  function init() {
    if (!mount()) return;
    box.addEventListener('change', toggle);
    ['pageshow', 'focus'].forEach(function (name) { window.addEventListener(name, sync); });
    ['cart:updated', 'cart:refresh', 'fineprint:refresh'].forEach(function (name) { document.addEventListener(name, sync); });
    request(d.proxy + '/protection')
      .then(function (data) {
        offer = data;
        variantId = data && data.variant_id ? Number(data.variant_id) : null;
      })
      .catch(function () { offer = null; variantId = null; })
      .then(sync);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
