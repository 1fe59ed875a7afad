/* Fineprint admin page. Works with App Bridge (shopify.idToken()) and Polaris web components,
   and without them: plain HTML controls, the page's own session token, or (demo) the simulated admin's. */
(function () {
  "use strict";
  var body = document.body;
  body.classList.add("js");
  var DEMO = body.dataset.demo === "true";
  var initialToken = body.dataset.idToken;
  var state = { backtested: null, backtestedText: null, checkTimer: null, checkSeq: 0 };

  function $(id) { return document.getElementById(id); }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }

  async function sessionToken() {
    if (DEMO && body.dataset.idTokenUrl) {  // the simulated admin stands in for App Bridge (demo mode)
      try { return (await (await fetch(body.dataset.idTokenUrl)).json()).id_token; } catch (e) { /* page's */ }
    }
    if (window.shopify && typeof window.shopify.idToken === "function") {
      try { return await window.shopify.idToken(); } catch (e) { /* fall back to the page's token */ }
    }
    return initialToken;
  }

  async function api(method, path, data) {
    var headers = { Authorization: "Bearer " + (await sessionToken()) };
    if (data !== undefined) headers["Content-Type"] = "application/json";
    var r = await fetch(path, { method: method, headers: headers,
                                body: data !== undefined ? JSON.stringify(data) : undefined });
    var type = r.headers.get("Content-Type") || "";
    var payload = type.indexOf("json") >= 0 ? await r.json() : await r.text();
    if (!r.ok) {
      var err = new Error(payload && payload.error ? payload.error.message : "HTTP " + r.status);
      err.payload = payload; err.status = r.status;
      throw err;
    }
    return payload;
  }

  function toast(message) {
    var t = $("toast");
    t.textContent = message; t.hidden = false;
    if (window.shopify && window.shopify.toast && window.shopify.toast.show) {
      try { window.shopify.toast.show(message); } catch (e) { /* the page's own toast is enough */ }
    }
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, 4000);
  }

  // ---------------------------------------------------------------- tabs
  function showTab() {
    var name = (location.hash || "#policy").slice(1);
    if (!$(name) || !$(name).classList.contains("tab")) name = "policy";
    document.querySelectorAll(".tab").forEach(function (s) { s.classList.toggle("current", s.id === name); });
    document.querySelectorAll(".tabs a").forEach(function (a) { a.classList.toggle("current", a.dataset.tab === name); });
  }
  window.addEventListener("hashchange", showTab);

  async function refresh(name) {
    var html = await api("GET", "/app/api/sections/" + name);
    $(name).innerHTML = html;
    if (name === "policy") {
      initEditor(); scheduleCheck(0);
      document.dispatchEvent(new CustomEvent("fineprint:policy-loaded"));  // builder.js redraws its form
    }
  }

  // -------------------------------------------------------------- editor
  function text() { return $("policy-text").value; }

  function renderGutter(marks) {
    var lines = text().split("\n").length, out = [];
    marks = marks || state.marks || {};
    for (var i = 1; i <= lines; i++) {
      var cls = marks[i] ? ' class="' + marks[i] + '"' : "";
      out.push('<span data-line="' + i + '"' + cls + ">" + i + "</span>");
    }
    $("gutter").innerHTML = out.join("");
    $("gutter").scrollTop = $("policy-text").scrollTop;
  }

  function initEditor() {
    var ta = $("policy-text");
    if (!ta) return;
    state.marks = {};
    ta.addEventListener("input", function () { renderGutter(); resetBacktest(); scheduleCheck(400); });
    ta.addEventListener("scroll", function () { $("gutter").scrollTop = ta.scrollTop; });
    renderGutter();
  }

  function resetBacktest() {
    if (state.backtestedText !== text()) {
      $("activate").disabled = true;
      $("activate").title = "Backtest this text first";
    }
  }

  function scheduleCheck(delay) {
    clearTimeout(state.checkTimer);
    state.checkTimer = setTimeout(check, delay);
  }

  async function check() {
    if (!$("policy-text")) return;
    var seq = ++state.checkSeq, source = text();
    $("check-status").textContent = "Checking…";
    var result;
    try { result = await api("POST", "/app/api/policy/check", { text: source }); }
    catch (e) { $("check-status").textContent = "Could not check: " + e.message; return; }
    if (seq !== state.checkSeq) return;
    showProblems(result);
  }

  function showProblems(result) {
    var marks = {}, items = [];
    var errors = result.problems.filter(function (p) { return p.severity === "error"; }).length;
    var warnings = result.problems.length - errors;
    result.problems.forEach(function (p) {
      if (marks[p.line] !== "error") marks[p.line] = p.severity;
      items.push('<li class="' + p.severity + '" data-line="' + p.line + '" data-col="' + p.col + '">' + esc(p.text) + "</li>");
    });
    state.marks = marks;
    renderGutter(marks);
    $("problems").innerHTML = items.join("");
    var status = $("check-status");
    if (result.ok) {
      status.className = "ok";
      status.textContent = "Valid: " + result.name + " (version " + result.version + ")" +
        (warnings ? " — " + warnings + " warning" + (warnings > 1 ? "s" : "") : "");
    } else {
      status.className = "error-text";
      status.textContent = errors + " error" + (errors > 1 ? "s" : "") + ": fix " + (errors > 1 ? "them" : "it") + " before backtesting.";
    }
    $("run-backtest").disabled = !result.ok;
  }

  function goToLine(line) {
    var ta = $("policy-text"), lines = text().split("\n"), start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    ta.focus();
    ta.setSelectionRange(start, start + (lines[line - 1] || "").length);
    ta.scrollTop = Math.max(0, (line - 5) * 18);
  }

  async function loadPolicy() {
    var choice = $("policy-choice").value, kind = choice.split(":")[0], value = choice.slice(kind.length + 1);
    var query = kind === "preset" ? "preset=" + encodeURIComponent(value)
      : kind === "version" ? "version=" + encodeURIComponent(value) : "active=1";
    try {
      var source = await api("GET", "/app/api/policy/source?" + query);
      $("policy-text").value = source.text;
      $("policy-text").dataset.basedOn = source.based_on || "";
      $("backtest-result").hidden = true;
      renderGutter({}); resetBacktest(); scheduleCheck(0);
      document.dispatchEvent(new CustomEvent("fineprint:policy-loaded"));
      toast("Loaded " + (source.based_on || "policy") + " into the editor");
    } catch (e) { toast(e.message); }
  }

  // ------------------------------------------------------------ backtest
  async function runBacktest() {
    var source = text(), box = $("backtest-result");
    box.hidden = false; box.innerHTML = '<p class="muted">Backtesting…</p>';
    try {
      var r = await api("POST", "/app/api/policy/backtest", { text: source, limit: Number($("backtest-limit").value) || 50 });
      var c = r.counts, rows = r.orders.filter(function (o) { return o.changed; });
      var html = '<h3 id="backtest-summary">Backtest of ' + esc(r.policy.name) + " " + esc(r.policy.version) + " over " + c.orders + " orders</h3>" +
        '<div class="counts"><div><b id="bt-changed">' + c.changed + '</b>would change</div><div><b>' + c.tags_changed +
        "</b>tags change</div><div><b>" + c.deadline_changed + "</b>deadlines change</div><div><b>" + c.unchanged +
        "</b>unchanged</div>" + (c.invalid ? "<div><b>" + c.invalid + "</b>invalid</div>" : "") + "</div>";
      var tagNotes = Object.keys(r.by_tag).map(function (t) {
        return esc(t) + ": +" + r.by_tag[t].added + " / −" + r.by_tag[t].removed; });
      if (tagNotes.length) html += '<p class="muted">' + tagNotes.join(" · ") + "</p>";
      if (rows.length) {
        html += '<table class="data" id="backtest-table"><thead><tr><th>Order</th><th>Items</th><th>Tags now</th><th>Tags after</th>' +
          "<th>Deadline now</th><th>Deadline after</th></tr></thead><tbody>";
        rows.forEach(function (o) {
          html += '<tr class="changed" data-order-id="' + esc(o.order_id) + '"><td>' + esc(o.name) + "</td><td>" + esc(o.label) +
            "</td><td>" + tags(o.tags_before) + "</td><td>" + tags(o.tags_after) + "</td><td>" + esc(o.deadline_before || "—") +
            "</td><td>" + esc(o.deadline_after || "—") + "</td></tr>";
        });
        html += "</tbody></table>";
      } else { html += '<p>No order would change.</p>'; }
      box.innerHTML = html;
      if (text() === source) {
        state.backtested = r.policy.version; state.backtestedText = source;
        $("activate").disabled = false; $("activate").title = "Activate this version";
      }
    } catch (e) { box.innerHTML = '<p class="error-text">' + esc(e.message) + "</p>"; }
  }

  function tags(list) { return (list || []).map(function (t) { return '<span class="tag">' + esc(t) + "</span>"; }).join("") || "—"; }

  async function activate() {
    try {
      var v = await api("POST", "/app/api/policy/activate", { text: text(), backtested: state.backtested,
                                                                 based_on: $("policy-text").dataset.basedOn || null });
      toast("Activated " + v.name + " version " + v.version + "; re-deciding stored orders");
      await afterActivation();
    } catch (e) { toast(e.message); }
  }

  async function afterActivation() {
    state.backtested = null; state.backtestedText = null;
    await Promise.all(["policy", "page", "preview"].map(refresh));
    [800, 2000, 4000, 8000].forEach(function (ms) {
      setTimeout(function () { refresh("activity"); refresh("dashboard"); }, ms);
    });
    refresh("activity");
  }

  async function activateVersion(id, rollback) {
    try {
      var v = rollback ? await api("POST", "/app/api/policy/rollback", {})
        : await api("POST", "/app/api/policy/versions/" + id + "/activate", {});
      toast((rollback ? "Rolled back to " : "Activated ") + v.name + " version " + v.version);
      await afterActivation();
    } catch (e) { toast(e.message); }
  }

  // ------------------------------------------------------------- preview
  async function preview() {
    var box = $("preview-result"), data = {};
    if ($("preview-sample").value.trim()) data.sample = $("preview-sample").value;
    else data.order_id = $("preview-order").value;
    if ($("preview-return").value) data.return_as = $("preview-return").value;
    if ($("preview-draft").checked && $("policy-text")) data.text = text();
    box.innerHTML = '<p class="muted">Deciding…</p>';
    try {
      var r = await api("POST", "/app/api/preview", data), d = r.decision;
      var html = '<p><strong id="preview-order-name">' + esc(r.order.name) + "</strong> under policy <strong>" +
        esc(r.policy.name) + "</strong> " + esc(r.policy.version) + "</p>" +
        '<p>Tags: <span id="preview-tags">' + tags(r.tags) + "</span></p>" +
        '<p>Return deadline: <strong id="preview-deadline">' + esc(d.return_deadline || "none yet") + "</strong></p>";
      if (d.blocked && d.blocked.length) html += '<p class="error-text">Checkout blocked: ' + d.blocked.map(function (b) { return esc(b.message); }).join("; ") + "</p>";
      html += '<table class="data" id="preview-lines"><thead><tr><th>Item</th><th>Class</th><th>Refund</th><th>Store credit</th><th>Exchange</th></tr></thead><tbody>';
      (d.lines || []).forEach(function (ln) {
        html += "<tr><td>" + esc(itemTitle(r, ln.line_item_id)) + "</td><td>" + esc(CLASSES[ln["class"]] || ln["class"]) + "</td>" + ["refund", "store_credit", "exchange"].map(function (k) {
          var res = ln.resolutions[k];
          return "<td>" + (res.window ? esc(res.window.days + " days from " + res.window.from) + (res.deadline ? "<br>until " + esc(res.deadline) : "") : "no") + "</td>";
        }).join("") + "</tr>";
      });
      html += "</tbody></table>" + returnOutcome(r, d["return"]) + "<h3>Why</h3><ul id=\"preview-reasons\">" + r.reasons.map(function (x) {
        return "<li>" + esc(x.text || x.rule) + ' <code class="rule-id">' + esc(x.rule) + "</code></li>"; }).join("") + "</ul>";
      box.innerHTML = html;
    } catch (e) {
      var details = e.payload && e.payload.error && Array.isArray(e.payload.error.details)
        ? "<ul>" + e.payload.error.details.map(function (x) { return "<li>" + esc(x.field + ": " + x.message) + "</li>"; }).join("") + "</ul>" : "";
      box.innerHTML = '<p class="error-text">' + esc(e.message) + "</p>" + details;
    }
  }

  var CLASSES = { standard: "standard", credit_only: "store credit only", final_sale: "final sale",
                  exchange_or_credit: "exchange or store credit",
                  trial: "try-at-home", external: "sold elsewhere", protection: "return protection" };
  var RESOLUTION = { refund: "Refund", store_credit: "Store credit", exchange: "Exchange" };

  function itemTitle(r, id) { return (r.order.lines || {})[id] || "item " + id; }

  function money(amount, currency) { return esc(amount) + (currency ? " " + esc(currency) : ""); }

  // The decision's `return` (contract §6): per line allowed and amount, each fee once, the total.
  function returnOutcome(r, ret) {
    if (!ret) return "";
    var cur = r.order.currency, label = RESOLUTION[ret.resolution] || ret.resolution;
    var html = '<h3 id="preview-return-heading">Return for ' + esc(label.toLowerCase()) + ": " +
      (ret.allowed ? "allowed" : "refused") + '</h3><table class="data" id="preview-return-lines"><thead><tr>' +
      "<th>Item</th><th>Qty</th><th>Allowed</th><th>Value</th><th>Why</th></tr></thead><tbody>";
    (ret.lines || []).forEach(function (ln) {
      html += "<tr><td>" + esc(itemTitle(r, ln.line_item_id)) + "</td><td>" + esc(ln.quantity) + "</td><td>" +
        (ln.allowed ? "yes" : "no") + "</td><td>" + money(ln.amount, cur) + "</td><td>" +
        (ln.reasons || []).map(function (x) { return esc(x.text || x.message || x.rule || x); }).join("<br>") + "</td></tr>";
    });
    var fees = (ret.fees || []).map(function (f) { return esc(f.kind) + " fee " + money(f.amount, cur); });
    var total = ret.resolution === "store_credit" ? "Store credit" : ret.resolution === "exchange" ? "Refund (exchange)" : "Refund total";
    // [[bundles]]: a kept gift's value deducted, or returned lines paid as store credit on a refund
    var deducted = (ret.deductions || []).map(function (d) {
      return esc(itemTitle(r, d.line_item_id)) + " kept: " + money(d.amount, cur); });
    var credited = ret.resolution === "refund" && ret.credit_total && ret.credit_total !== "0.00"
      ? '<p id="preview-credit-total">Paid as store credit: <strong>' + money(ret.credit_total, cur) + "</strong></p>" : "";
    return html + '</tbody></table><p id="preview-fees">Fees: ' + (fees.length ? fees.join(", ") : "none") + "</p>" +
      (deducted.length ? '<p id="preview-deductions">Deducted: ' + deducted.join(", ") + "</p>" : "") +
      '<p>' + total + ': <strong id="preview-refund-total">' + money(ret.refund_total, cur) + "</strong></p>" + credited;
  }

  // ------------------------------------------------------------ settings
  async function saveSettings(form) {
    var data = { tag_names: {}, protection_variant_id: form.protection_variant_id.value,
                 block_po_boxes: form.block_po_boxes.checked,
                 reminder_days: /^\d+$/.test(form.reminder_days.value.trim()) ? Number(form.reminder_days.value) : form.reminder_days.value };
    form.querySelectorAll("input[name^='tag_names.']").forEach(function (i) { data.tag_names[i.name.slice(10)] = i.value; });
    try {
      await api("POST", "/app/api/settings", data);
      $("settings-errors").innerHTML = "";
      toast("Settings saved");
    } catch (e) {
      var list = (e.payload && e.payload.error && e.payload.error.details) || [];
      $("settings-errors").innerHTML = list.map(function (x) { return '<li class="error">' + esc(x.field + ": " + x.message) + "</li>"; }).join("")
        || '<li class="error">' + esc(e.message) + "</li>";
    }
  }

  async function copy(id) {
    var el = $(id);
    try { await navigator.clipboard.writeText(el.value); }
    catch (e) { el.closest("details").open = true; el.select(); document.execCommand("copy"); }
    toast("Copied");
  }

  // ------------------------------------------------------ data requests
  async function downloadReport(id) {  // fetched with the session token, saved as a file
    try {
      var report = await api("GET", "/app/api/compliance/reports/" + encodeURIComponent(id));
      var url = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: "application/json" }));
      var a = document.createElement("a");
      a.href = url; a.download = "data-request-" + id + ".json";
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    } catch (e) { toast(e.message); }
  }

  // -------------------------------------------------------------- wiring
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("button, li[data-line]");
    if (!t) return;
    if (t.matches("li[data-line]")) return goToLine(Number(t.dataset.line));
    if (t.id === "load-policy") return loadPolicy();
    if (t.id === "run-backtest") return runBacktest();
    if (t.id === "activate") return activate();
    if (t.id === "rollback") return activateVersion(null, true);
    if (t.classList.contains("activate-version")) return activateVersion(t.dataset.versionId, false);
    if (t.id === "run-preview") return preview();
    if (t.classList.contains("copy")) return copy(t.dataset.copy);
    if (t.dataset.refresh) return refresh(t.dataset.refresh);
    if (t.classList.contains("download-report")) return downloadReport(t.dataset.reportId);
    if (t.classList.contains("retry-job")) {
      return api("POST", "/app/api/jobs/" + t.dataset.jobId + "/retry", {})
        .then(function () { toast("Job requeued"); return refresh("activity"); })
        .catch(function (e) { toast(e.message); });
    }
  });
  document.addEventListener("submit", function (ev) {
    if (ev.target.id === "settings-form") { ev.preventDefault(); saveSettings(ev.target); }
  });

  window.Fineprint = { api: api, refresh: refresh, toast: toast, esc: esc };  // shared with builder.js and returns.js

  showTab();
  initEditor();
  if ($("policy-text") && !$("policy-text").value.trim() && $("policy-choice")) loadPolicy();
  else scheduleCheck(0);
  body.dataset.ready = "true";
})();
