/* The overview's "Print report" button: shown only where this script runs
   (no inline script: the CSP forbids it), it opens the browser's print dialog;
   results.css lays the page out for A4. Plotly's charts have a fixed pixel
   width, so they are redrawn at the width of an A4 page while it prints. */
(function () {
  "use strict";
  var A4_WIDTH = 700; // px: 210 mm less the 12 mm margins, at 96 px per inch

  function charts() {
    return document.querySelectorAll(".chart.js-plotly-plot");
  }

  function fit(width) {
    if (typeof Plotly === "undefined") { return; }
    Array.prototype.forEach.call(charts(), function (chart) {
      Plotly.relayout(chart, { width: width, autosize: width === null });
    });
  }

  function wire() {
    var buttons = document.querySelectorAll("button[data-print]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    window.addEventListener("beforeprint", function () {
      // Charts are drawn as they scroll into view (charts.js): all of them now.
      if (window.surveyCharts) { window.surveyCharts.drawAll(); }
      fit(A4_WIDTH);
    });
    window.addEventListener("afterprint", function () { fit(null); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
