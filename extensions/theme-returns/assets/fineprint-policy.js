/* Fineprint: the store's return policy, rendered by the app from its rules. */
(function () {
  'use strict';

  function load(el) {
    return fetch(el.dataset.proxy + '/policy', {headers: {Accept: 'application/json'}})
      .then(function (res) {
        if (!res.ok) throw new Error('policy ' + res.status);
        return res.json();
      })
      .then(function (data) {
        // The HTML is produced by Fineprint's own renderer from the merchant's rules.
        el.innerHTML = data.html;
        el.setAttribute('data-loaded', 'true');
      })
      .catch(function () {
        el.textContent = el.dataset.error;
      });
  }

  function init() {
    document.querySelectorAll('[data-fineprint-policy]').forEach(load);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
