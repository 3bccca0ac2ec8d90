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

  function applyConditions() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-show-if]"), function (set) {
      var source = form.querySelectorAll("[name='" + set.dataset.showIf + "']");
      var visibleSource = Array.prototype.some.call(source, function (el) { return el.type !== "hidden"; });
      if (!visibleSource) { return; }
      var codes = set.dataset.showCodes.split(" ");
      var on = Array.prototype.some.call(source, function (el) {
        return el.checked && codes.indexOf(el.value) !== -1;
      });
      set.hidden = !on;
    });
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
