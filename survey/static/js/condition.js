/* The question editor's condition: show only the answers of the question chosen
   as the condition. Without the script every earlier question's answers show,
   each under its own heading, and the server takes the chosen question's. */
(function () {
  "use strict";
  var select = document.getElementById("condition_question");
  var groups = document.querySelectorAll(".condition-group");
  var help = document.getElementById("condition-help");
  if (!select || !groups.length) { return; }

  function update() {
    var chosen = select.value;
    for (var i = 0; i < groups.length; i++) {
      var mine = groups[i].getAttribute("data-question") === chosen;
      groups[i].hidden = !mine;
      var boxes = groups[i].querySelectorAll("input[type=checkbox]");
      for (var j = 0; j < boxes.length; j++) { boxes[j].disabled = !mine; }
    }
    if (help) { help.hidden = chosen === "0"; }
  }

  select.addEventListener("change", update);
  update();
}());
