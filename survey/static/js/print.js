/* The overview's "Print report" button: shown only where this script runs
   (no inline script: the CSP forbids it), it opens the browser's print dialog;
   results.css lays the page out for A4. */
(function () {
  "use strict";
  function wire() {
    var buttons = document.querySelectorAll("button[data-print]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
