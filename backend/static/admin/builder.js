/* Fineprint policy builder: the rule file as a form. Every change is sent as an edit of the editor's text
   (POST /app/api/policy/builder/edit); the answer is the new text, which goes back into the Advanced
   editor (so check, backtest and activate work on it as before), and the form drawn from it. */
(function () {
  "use strict";
  var admin = window.Fineprint;
  if (!admin || !document.getElementById("builder")) return;
  var seq = 0, sentencesShown = false;
  // The text as the policy was loaded: a rule whose sentence still quotes a figure its fields said then (and
  // no longer say) keeps its stale-sentence warning over later edits, until the sentence or the number agrees.
  var baseline = null;

  function $(id) { return document.getElementById(id); }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }
  function source() { return $("policy-text").value; }

  function setSource(text) {
    var ta = $("policy-text");
    ta.value = text;
    ta.dispatchEvent(new Event("input"));  // admin.js: gutter, backtest reset, check
  }

  // The control the merchant is on (Tab moved there as the change was sent), to be found again after a redraw.
  function focused() {
    var el = document.activeElement, rule = el && el.closest && el.closest("#builder .b-rule");
    if (!rule || !el.dataset.path) return null;
    return { rule: rule.dataset.ruleId, path: el.dataset.path, value: el.value, dirty: el.value !== el.defaultValue };
  }

  function refocus(was) {
    if (!was) return;
    var el = document.querySelector('#builder .b-rule[data-rule-id="' + CSS.escape(was.rule) + '"] [data-path="' +
                                    CSS.escape(was.path) + '"]');
    if (!el) return;
    if (was.dirty) el.value = was.value;  // typed while the last change was being saved
    el.focus();
  }

  function draw(html) {
    var was = focused();
    var open = Array.prototype.map.call(document.querySelectorAll("#builder details.b-add[open]"),
                                        function (d) { return d.dataset.section; });
    $("builder").innerHTML = html;
    open.forEach(function (s) {
      var d = document.querySelector('#builder details.b-add[data-section="' + s + '"]');
      if (d) d.open = true;
    });
    refocus(was);
    document.body.dataset.builder = "ready";
  }

  async function openBuilder() {
    var mine = ++seq;
    document.body.dataset.builder = "loading";
    try {
      if (baseline === null) baseline = source();
      var r = await admin.api("POST", "/app/api/policy/builder", { text: source(), since: baseline });
      if (mine === seq) draw(r.html);
    } catch (e) { $("builder").innerHTML = '<p class="error-text">' + esc(e.message) + "</p>"; }
  }

  async function edit(edits, el) {
    var mine = ++seq;
    document.body.dataset.builder = "saving";
    try {
      var r = await admin.api("POST", "/app/api/policy/builder/edit", { text: source(), edits: edits, since: baseline });
      setSource(r.text);
      if (mine === seq) draw(r.html);
      if (sentencesShown) showSentences();
      return true;
    } catch (e) {
      document.body.dataset.builder = "ready";
      var where = el && el.closest(".b-field, .b-window, .b-sentence, .b-head, .b-add") || $("builder");
      var old = where.querySelector(":scope > .b-note.input-error");
      if (old) old.remove();
      var p = document.createElement("p");
      p.className = "b-note error input-error";
      p.textContent = e.message;
      where.appendChild(p);
    }
  }

  function valueOf(el) {
    if (el.matches("fieldset")) {
      return Array.prototype.filter.call(el.querySelectorAll("input[type=checkbox]"), function (c) { return c.checked; })
        .map(function (c) { return c.value; });
    }
    if (el.type === "checkbox") return el.checked;
    return el.value;
  }

  function control(target) { return target.closest("fieldset[data-path]") || target; }

  document.addEventListener("change", function (ev) {
    var el = control(ev.target);
    if (!el.closest("#builder") || !el.dataset || !el.dataset.path) return;
    if (el.closest(".b-add")) {
      if (el.dataset.kind === "window") toggleParts(el);
      return;
    }
    var rule = el.closest(".b-rule");
    if (!rule) return;
    edit([{ op: "set", ref: JSON.parse(rule.dataset.ref), path: JSON.parse(el.dataset.path), value: valueOf(el) }], el);
  });

  function toggleParts(select) {
    var parts = select.parentNode.querySelector(".b-window-parts");
    if (parts) parts.hidden = select.value !== "allowed";
  }

  function addRule(box) {
    var values = [];
    box.querySelectorAll(".b-add-input").forEach(function (el) {
      var window = el.closest(".b-window");
      if (window && el.dataset.kind !== "window") {
        var state = window.querySelector("select[data-kind=window]").value;
        if (state !== "allowed") return;
      }
      if (el.dataset.kind === "window" && el.value === "inherit") return;
      values.push({ path: JSON.parse(el.dataset.path), value: valueOf(el) });
    });
    var section = box.dataset.section;
    edit([{ op: "add", section: section, title: box.querySelector(".b-add-title").value,
            text: box.querySelector(".b-add-text").value, values: values }], box.querySelector(".b-add-submit"))
      .then(function (added) {  // the new rule is in the list now: the blank form closes
        var form = document.querySelector('#builder details.b-add[data-section="' + section + '"]');
        if (added && form) form.open = false;
      });
  }

  // ----------------------------------------------------------- the written policy, sentence by sentence
  async function showSentences() {
    var written = $("b-written-text").value;
    if (!written.trim()) return;
    try {
      var r = await admin.api("POST", "/app/api/policy/builder/sentences", { text: source(), written: written });
      sentencesShown = true;
      $("builder-view").classList.add("with-written");
      var options = '<option value="">Choose a rule…</option>' + r.rules.map(function (x, i) { return '<option value="' + i + '">' + esc(x.title) + "</option>"; }).join("");
      var html = '<p id="b-sentences-summary">' + r.implemented + " of " + r.total + " sentences have a rule.</p><ol class=\"b-sentences\">";
      r.sentences.forEach(function (s) {
        html += '<li class="' + (s.rules.length ? "implemented" : "missing") + '" data-index="' + s.index + '"><span class="b-s-text">' +
          esc(s.text) + '</span><span class="b-s-rules">' + (s.rules.length
            ? "Implemented by " + s.rules.map(function (x) { return "<b>" + esc(x.title) + "</b>"; }).join(", ")
            : "No rule yet") + '</span><span class="b-s-link"><select aria-label="Rule for this sentence">' + options +
          '</select><label><input type="checkbox" class="b-s-append"> add to its sentence</label>' +
          '<button type="button" class="b-link">Link</button></span></li>';
      });
      $("b-sentences").innerHTML = html + "</ol>";
      $("b-sentences").rules = r.rules;
      $("b-sentences").sentences = r.sentences;
    } catch (e) { $("b-sentences").innerHTML = '<p class="error-text">' + esc(e.message) + "</p>"; }
  }

  function link(button) {
    var li = button.closest("li"), box = $("b-sentences");
    var choice = li.querySelector("select").value;
    if (choice === "") { admin.toast("Choose the rule this sentence belongs to"); return; }
    var rule = box.rules[Number(choice)];
    var sentence = box.sentences[Number(li.dataset.index)].text;
    edit([{ op: "link", ref: rule.ref, sentence: sentence,
            mode: li.querySelector(".b-s-append").checked ? "append" : "replace" }], button);
  }

  // ------------------------------------------------------------------ views and wiring
  function showView(name) {
    document.querySelectorAll(".view-tab").forEach(function (b) {
      var on = b.dataset.view === name;
      b.classList.toggle("current", on); b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    $("builder-view").classList.toggle("current", name === "builder");
    $("advanced-view").classList.toggle("current", name === "advanced");
    if (name === "builder") openBuilder();
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("button");
    if (!t) return;
    if (t.classList.contains("view-tab")) return showView(t.dataset.view);
    if (!t.closest("#builder-view")) return;
    if (t.classList.contains("b-add-submit")) return addRule(t.closest(".b-add"));
    if (t.classList.contains("b-remove")) return edit([{ op: "remove", ref: JSON.parse(t.closest(".b-rule").dataset.ref) }], t);
    if (t.classList.contains("b-action")) {
      var action = JSON.parse(t.dataset.action);
      return edit([{ op: action.op, ref: action.ref, rule: action.rule }], t);
    }
    if (t.id === "b-written-run") return showSentences();
    if (t.classList.contains("b-link")) return link(t);
  });
  document.addEventListener("fineprint:policy-loaded", function () {
    baseline = source();
    if ($("builder-view").classList.contains("current")) openBuilder();
  });

  $("advanced-view").classList.remove("current");
  document.body.classList.add("has-builder");
  openBuilder();
})();
