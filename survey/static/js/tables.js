// A table wider than a phone scrolls inside itself (admin.css); a keyboard
// user can focus it to scroll it (axe: scrollable-region-focusable).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
    if (table.scrollWidth > table.clientWidth && !table.hasAttribute("tabindex")) {
      table.tabIndex = 0;
    }
  });
})();
