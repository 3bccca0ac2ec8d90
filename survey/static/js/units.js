// Filters the list of offices as the citizen types; the search form works without it.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("unit-list");
  if (!input || !list) { return; }
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function filter() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(list.children, function (item) {
      var text = fold(item.textContent);
      item.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
    });
  }
  input.addEventListener("input", filter);
  // On a slow link the citizen may have typed before this script arrived.
  if (input.value) { filter(); }
})();
