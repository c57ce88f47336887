// Progress pages of background jobs (catalog builds, Excel exports): poll the job's status once a
// second and move the progress bar until the job is done (then show the download button, or go
// to the page the status names) or failed (then show why).  The server decides everything; this
// only paints what the box's data-status-url answers.  Markup: templates/_progress.html.
(function () {
  "use strict";
  if (!window.fetch) { return; }

  function watch(box) {
    var bar = box.querySelector("[data-role=bar]");
    var message = box.querySelector("[data-role=message]");
    var error = box.querySelector("[data-role=error]");
    var download = box.querySelector("[data-role=download]");
    var progress = box.querySelector("[role=progressbar]");

    function paint(state) {
      var pct = Math.max(0, Math.min(100, state.progress || 0));
      bar.style.width = pct + "%";
      bar.textContent = pct + "%";
      progress.setAttribute("aria-valuenow", pct);
      message.textContent = box.dataset["label" + state.status.charAt(0).toUpperCase() + state.status.slice(1)] || "";
      var finished = state.status === "done" || state.status === "failed";
      bar.classList.toggle("progress-bar-striped", !finished);
      bar.classList.toggle("progress-bar-animated", !finished);
      bar.classList.toggle("bg-success", state.status === "done");
      bar.classList.toggle("bg-danger", state.status === "failed");
      error.hidden = !state.error;
      error.textContent = state.error || "";
      if (state.download_url && download) {
        download.href = state.download_url;
        download.hidden = false;
      }
      if (state.next_url) { window.location.assign(state.next_url); }
      return finished;
    }

    function poll() {
      fetch(box.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (state) {
          if (!paint(state)) { setTimeout(poll, 1000); }
        })
        .catch(function () {
          message.textContent = box.dataset.labelOffline;
          setTimeout(poll, 3000);
        });
    }

    if (box.dataset.status === "queued" || box.dataset.status === "running") { setTimeout(poll, 1000); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-job-progress]"), watch);
})();
