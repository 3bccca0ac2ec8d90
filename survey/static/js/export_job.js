// The export job's page: poll its status and move the progress bar.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) return;
  var bar = document.getElementById("export-progress");
  var done = box.querySelector("[data-done]");
  var state = document.getElementById("export-state");
  var link = document.getElementById("export-download");
  var format = new Intl.NumberFormat(document.documentElement.lang || "vi");
  var polls = 0;
  function show(status) {
    bar.max = Math.max(status.total, 1);
    bar.value = status.state === "done" ? bar.max : status.done;
    done.textContent = format.format(status.done);
    if (status.state === "failed") state.textContent = state.dataset.failed;
    else if (status.state === "queued") state.textContent = state.dataset.waiting;
    else state.textContent = "";
    if (status.state === "done") link.hidden = false;
    return status.state === "done";
  }
  function poll() {
    polls += 1;
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (status) {
        if (!show(status) && polls < 3600) setTimeout(poll, 1000);
      })
      .catch(function () { if (polls < 3600) setTimeout(poll, 5000); });
  }
  if (box.dataset.state !== "done") setTimeout(poll, 500);
})();
