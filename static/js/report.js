// The annual report: follow running jobs by polling their status, and the print button.
// A static file, not an inline script: the Content-Security-Policy forbids those.
(function () {
  "use strict";

  var POLL_MS = 2000;

  function follow(bar) {
    var url = bar.getAttribute("data-status-url");
    var step = bar.parentNode.querySelector("[data-step]");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (job) {
          bar.value = job.progress;
          bar.textContent = job.progress + "%";
          if (step) {
            step.textContent = job.status_label + (job.step ? " · " + job.step : "") + " " + job.progress + "%";
          }
          if (job.status === "done" || job.status === "failed") {
            window.location.reload();  // shows the download links or the reason
          } else {
            window.setTimeout(poll, POLL_MS);
          }
        })
        .catch(function () { window.setTimeout(poll, POLL_MS * 3); });
    }
    window.setTimeout(poll, POLL_MS);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("progress[data-status-url]"), follow);
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
