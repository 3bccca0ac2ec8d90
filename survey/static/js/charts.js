/* Draw the server-built Plotly figures found in <script type="application/json"
   data-chart="target-id"> blocks (no inline script: the CSP forbids it). */
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    var blocks = document.querySelectorAll("script[type='application/json'][data-chart]");
    Array.prototype.forEach.call(blocks, function (block) {
      var target = document.getElementById(block.getAttribute("data-chart"));
      if (!target) { return; }
      var figure = JSON.parse(block.textContent);
      Plotly.newPlot(target, figure.data || [], figure.layout || {}, {
        responsive: true,
        // The mode bar injects inline styles, which the CSP blocks.
        displayModeBar: false
      }).then(function () {
        // Drawn, traces and all: what a test (or a print) may wait for.
        target.setAttribute("data-drawn", "true");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
