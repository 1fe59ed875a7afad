// The admin page's Returns section: the returns mode, filters, overrides (with a note), processing, drift.
(function () {
  "use strict";
  var F = function () { return window.Fineprint; };

  async function query(form) {
    var params = new URLSearchParams(new FormData(form));
    var html = await F().api("GET", "/app/api/sections/returns?" + params.toString());
    document.getElementById("returns").innerHTML = html;
  }

  function fail(e) { F().toast(e.message); }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.id === "returns-mode-form") {
      ev.preventDefault();
      F().api("POST", "/app/api/returns/mode", { mode: form.mode.value, process_on_receipt: form.process_on_receipt.checked })
        .then(function (r) { F().toast("Returns mode: " + r.mode); return F().refresh("returns"); }).catch(fail);
    } else if (form.id === "returns-filter") {
      ev.preventDefault();
      query(form).catch(fail);
    } else if (form.classList.contains("return-override")) {
      ev.preventDefault();
      var action = ev.submitter ? ev.submitter.value : "approve";
      F().api("POST", "/app/api/returns/" + form.dataset.returnId + "/override", { action: action, note: form.note.value })
        .then(function () { F().toast("Return " + action + "d"); return F().refresh("returns"); }).catch(fail);
    }
  });

  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("button");
    if (!t) return;
    if (t.classList.contains("return-process")) {
      F().api("POST", "/app/api/returns/" + t.dataset.returnId + "/process", {})
        .then(function (r) { F().toast("Refunded " + r.to_payment + ", store credit " + r.to_store_credit); return F().refresh("returns"); })
        .catch(fail);
    } else if (t.id === "returns-drift") {
      F().api("POST", "/app/api/returns/drift", {}).then(function (r) {
        var items = r.findings.length ? r.findings.map(function (f) { return "<li>" + F().esc(f.text) + "</li>"; }).join("")
          : "<li>Shopify's refund policy says what the written policy says (windows, fees, final sale).</li>";
        document.getElementById("returns-drift-findings").innerHTML = items;
      }).catch(fail);
    }
  });
})();
