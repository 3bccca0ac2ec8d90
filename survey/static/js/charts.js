/* Draw the server-built Plotly figures found in <script type="application/json"
   data-chart="target-id"> blocks (no inline script: the CSP forbids it).

   Each chart is drawn when it comes near the screen, not all at load: on a
   slow phone the first screen's charts no longer wait behind the dozen below
   it (issue 24). Printing draws every chart first (print.js). */
(function () {
  "use strict";
  var pending = [];

  function draw(item) {
    var index = pending.indexOf(item);
    if (index < 0) { return; }
    pending.splice(index, 1);
    var figure = item.figure;
    Plotly.newPlot(item.target, figure.data || [], figure.layout || {}, {
      responsive: true,
      // The mode bar injects inline styles, which the CSP blocks.
      displayModeBar: false
    }).then(function () {
      // Drawn, traces and all: what a test (or a print) may wait for.
      item.target.setAttribute("data-drawn", "true");
    });
  }

  function drawAll() {
    pending.slice().forEach(draw);
  }

  function start() {
    if (typeof Plotly === "undefined") { return; }
    var blocks = document.querySelectorAll("script[type='application/json'][data-chart]");
    Array.prototype.forEach.call(blocks, function (block) {
      var target = document.getElementById(block.getAttribute("data-chart"));
      if (!target) { return; }
      var figure = JSON.parse(block.textContent);
      // The chart's room is kept before it is drawn: nothing below it moves
      // when it appears (a tap aimed at a link would land elsewhere).
      var height = (figure.layout || {}).height;
      if (height) { target.style.minHeight = height + "px"; }
      pending.push({ figure: figure, target: target });
    });
    if (!("IntersectionObserver" in window)) { drawAll(); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) { return; }
        observer.unobserve(entry.target);
        pending.filter(function (item) { return item.target === entry.target; })
          .forEach(draw);
      });
    }, { rootMargin: "300px 0px" }); // a little ahead of the scroll
    pending.forEach(function (item) { observer.observe(item.target); });
  }

  window.surveyCharts = { drawAll: drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
