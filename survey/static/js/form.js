// Keeps the citizen's draft on the phone: restored after a reload or a dropped
// connection, cleared on the thank-you page. The form works without it.
(function () {
  "use strict";
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) { return; }
  var done = document.getElementById("draft-done");
  if (done) { store.removeItem("draft:" + done.dataset.draftKey); return; }
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var key = "draft:" + form.dataset.draftKey;
  var skip = { csrf_token: 1, ticket: 1, page: 1, website: 1, action: 1 };

  function save() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || skip[el.name] || el.name.indexOf("q_") !== 0) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) {
        if (!(el.name in data)) { data[el.name] = []; }
        return;
      }
      (data[el.name] = data[el.name] || []).push(el.value);
    });
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full */ }
  }

  function restore() {
    var data;
    try { data = JSON.parse(store.getItem(key) || "null"); } catch (e) { data = null; }
    if (!data) { return; }
    Object.keys(data).forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name + "']");
      if (!els.length) {
        data[name].forEach(function (value) {
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = name; hidden.value = value;
          form.appendChild(hidden);
        });
        return;
      }
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio" || el.type === "checkbox") {
          if (!form.querySelector("[name='" + name + "']:checked")) {
            el.checked = data[name].indexOf(el.value) !== -1;
          }
        } else if (el.type === "hidden") {
          return;
        } else if (!el.value && data[name].length) {
          el.value = data[name][0];
        }
      });
    });
  }

  // The server's conditions (survey/domain/conditions.py) on the fields of
  // this page and the answers carried along; the server decides again.
  function given(name) {
    var out = [];
    Array.prototype.forEach.call(form.querySelectorAll("[name='" + name + "']"), function (el) {
      var set = el.closest("fieldset");
      if (set && set.hidden) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.value.trim()) { out.push(el.value.trim()); }
    });
    return out;
  }
  function isLikert(name) {
    var set = document.getElementById(name + "_set");
    return !!(set && set.classList.contains("q-likert5"));
  }
  function order(op, a, b) {
    return op === "eq" ? a === b : op === "ne" ? a !== b : op === "lt" ? a < b :
      op === "le" ? a <= b : op === "gt" ? a > b : op === "ge" ? a >= b : false;
  }
  var DAY = /^\d{4}-\d{2}-\d{2}$/;
  function holds(test) {
    var got = given(test.question), values = test.values || [];
    if (!got.length) { return false; }
    if (test.op === "answered") { return true; }
    if (!values.length) { return false; }
    var ordered = ["lt", "le", "gt", "ge"].indexOf(test.op) !== -1;
    if (DAY.test(got[0])) {
      if (test.op === "in") { return values.indexOf(got[0]) !== -1; }
      return order(test.op, got[0], String(values[0]));
    }
    var number = parseFloat(got[0].replace(",", "."));
    var radios = form.querySelector("[name='" + test.question + "'][type=radio], [name='" + test.question + "'][type=checkbox]");
    var scale = !radios || !isLikert(test.question) || got[0] !== "9";
    if (radios && !ordered && !(radios.closest(".numbers"))) {
      if (test.op === "eq") { return got.indexOf(String(values[0])) !== -1; }
      if (test.op === "ne") { return got.indexOf(String(values[0])) === -1; }
      if (test.op === "in") { return got.some(function (v) { return values.map(String).indexOf(v) !== -1; }); }
      return false;
    }
    if (!isNaN(number) && scale) {
      var wanted = values.map(function (v) { return parseFloat(String(v).replace(",", ".")); });
      if (test.op === "in") { return wanted.indexOf(number) !== -1; }
      return order(test.op, number, wanted[0]);
    }
    var text = got[0].toLowerCase(), folded = values.map(function (v) { return String(v).trim().toLowerCase(); });
    if (test.op === "eq") { return text === folded[0]; }
    if (test.op === "ne") { return text !== folded[0]; }
    if (test.op === "in") { return folded.indexOf(text) !== -1; }
    return false;
  }
  function evaluate(condition) {
    if (!condition) { return true; }
    var results = condition.tests.map(function (t) { return t.tests ? evaluate(t) : holds(t); });
    return condition.join === "any" ? results.some(Boolean) : results.every(Boolean);
  }
  function undecided(condition) {
    return condition.tests.some(function (t) {
      if (t.tests) { return undecided(t); }
      var shown = Array.prototype.some.call(form.querySelectorAll("[name='" + t.question + "']"), function (el) {
        var set = el.closest("fieldset");
        return el.type !== "hidden" && !(set && set.hidden);
      });
      return shown && !given(t.question).length;
    });
  }
  function parsed(text) {
    try { return JSON.parse(text || "null"); } catch (e) { return null; }
  }

  function applyConditions() {
    // In question order, so that a question hidden here hides those reading it.
    Array.prototype.forEach.call(form.querySelectorAll("[data-show-when]"), function (set) {
      set.hidden = !evaluate(parsed(set.dataset.showWhen));
    });
    var go = document.getElementById("go");
    if (!go) { return; }
    var ends = parsed(form.dataset.ends) || [];
    var later = parsed(form.dataset.later) || [];
    var ended = ends.some(function (c) { return evaluate(c); });
    // As on the server: a later page is still possible while its condition
    // reads a question of this page not answered yet.
    var more = !ended && later.some(function (c) { return c === null || evaluate(c) || undecided(c); });
    go.value = more ? "next" : "submit";
    go.textContent = more ? go.dataset.next : go.dataset.send;
  }

  restore();
  applyConditions();
  form.addEventListener("change", function () { save(); applyConditions(); });
  form.addEventListener("input", save);
  form.addEventListener("submit", function (event) {
    save();
    if (navigator.onLine === false) {
      event.preventDefault();
      document.getElementById("offline-note").hidden = false;
    }
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
