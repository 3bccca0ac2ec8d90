/* The wave form: show the sample size a margin of error implies, as it is typed.
   The server computes the same figure (the "Compute" button works without it). */
(function () {
  "use strict";
  var moe = document.getElementById("moe");
  var out = document.getElementById("implied-n");
  if (!moe || !out) { return; }
  var p = parseFloat(out.getAttribute("data-p"));
  var z = parseFloat(out.getAttribute("data-z"));
  var template = out.getAttribute("data-template") || "";

  function update() {
    var points = parseFloat(String(moe.value).replace(",", "."));
    if (!(points >= 0.5 && points <= 50)) { out.textContent = ""; return; }
    var margin = points / 100;
    var n = Math.max(1, Math.ceil(z * z * p * (1 - p) / (margin * margin) - 1e-9));
    out.textContent = template.replace("{moe}", String(points)).replace("{n}", String(n));
  }

  moe.addEventListener("input", update);
  var mode = document.querySelector("input[name=sample_mode][value=moe]");
  moe.addEventListener("focus", function () { if (mode) { mode.checked = true; } });
  update();
}());
