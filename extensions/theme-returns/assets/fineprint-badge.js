/* Fineprint: product return badge. Strings come from the block's data attributes (locales). */
(function () {
  'use strict';

  function badgeText(data, labels) {
    if (!data) return null;
    if (data.class === 'final_sale') return {text: labels.labelFinalSale, tone: 'final-sale'};
    if (data.class === 'credit_only') return {text: labels.labelCreditOnly, tone: 'credit-only'};
    if (data.class === 'standard' && data.window && labels.showStandard !== 'false') {
      var days = Number(data.window.days);
      var template = days === 1 ? labels.labelDaysOne : labels.labelDaysOther;
      return {text: template.replace('{days}', String(days)), tone: 'standard'};
    }
    return null;
  }

  function show(el) {
    var url = el.dataset.proxy + '/product?product_id=' + encodeURIComponent(el.dataset.productId);
    return fetch(url, {headers: {Accept: 'application/json'}})
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        var badge = badgeText(data, el.dataset);
        if (!badge) return;
        el.textContent = badge.text;
        el.setAttribute('data-tone', badge.tone);
        el.hidden = false;
      })
      .catch(function () { /* no badge is better than a wrong one */ });
  }

  function init() {
    document.querySelectorAll('[data-fineprint-badge]').forEach(show);
  }

  window.Fineprint = window.Fineprint || {};
  window.Fineprint.badgeText = badgeText;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
