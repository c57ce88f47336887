// The board's drag-and-drop (SortableJS, touch included: a long press starts a drag on a phone).
// A card dropped on another column asks the server for the project's stage form preselected
// with that column's stage (GET projects.move_stage, JSON); a stage the user may not pick puts
// the card back with the server's reason.  The form opens in a dialog and posts as FormData to
// the same endpoint as the project page, so the same rules and evidence apply.  On success the
// columns (cards, counts, totals) are read again from the board's own page; on cancel the card
// goes back.  Server HTML only ever comes from this app; names go in as text.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  var dialog = document.getElementById("stage-dialog");
  if (!board || !dialog || typeof Sortable === "undefined" || !window.bootstrap) { return; }
  var modal = window.bootstrap.Modal.getOrCreateInstance(dialog);
  var body = dialog.querySelector("[data-dialog-body]");
  var status = document.getElementById("board-status");
  var pending = null;  // the dragged card and where it came from, until its move is saved or undone
  var JSON_ONLY = { headers: { Accept: "application/json" }, credentials: "same-origin" };

  function say(text, ok) {
    status.textContent = text;
    status.className = "alert " + (ok ? "alert-success" : "alert-danger");
    status.hidden = false;
  }

  function putBack() {
    if (!pending) { return; }
    pending.from.insertBefore(pending.item, pending.from.children[pending.index] || null);
    pending = null;
  }

  function refused(message) {
    putBack();
    say(message || board.dataset.failed, false);
    status.scrollIntoView({ block: "nearest" });  // down a long column (a phone), the reason is above
  }

  function answer(response) {  // a 403/404/400 page is HTML, not JSON: say so in words
    return response.json().catch(function () { return { ok: false }; });
  }

  function showForm(html) {
    body.innerHTML = html;
    var form = body.querySelector("form");
    window.crmStageForm.bind(form);
    return form;
  }

  // On the document, after page_actions.js's listener: a form that asks first (data-confirm)
  // and is cancelled there arrives here already prevented, and is not sent.
  function submit(event) {
    var form = event.target.closest("#stage-dialog form");
    if (!form || event.defaultPrevented) { return; }
    event.preventDefault();
    // The pressed button travels with the form: in the dialog it is the confirmation (confirmed=y).
    var data = new FormData(form, event.submitter || null);
    form.querySelector("[type=submit]").disabled = true;
    fetch(form.action, Object.assign({ method: "POST", body: data }, JSON_ONLY))
      .then(answer)
      .then(function (data) {
        if (data.ok) {
          pending = null;
          modal.hide();
          say(data.message, true);
          refresh();
        } else if (data.html) {  // the form again, each message under its field
          window.crmStageForm.focus(showForm(data.html));
        } else {
          modal.hide();
          refused(data.message);
        }
      }, function () { modal.hide(); refused(); });
  }

  function dropped(event) {
    if (event.from === event.to) { return; }
    pending = { item: event.item, from: event.from, index: event.oldIndex };
    status.hidden = true;
    var url = event.item.dataset.move + "?to_stage=" + encodeURIComponent(event.to.dataset.drop);
    fetch(url, JSON_ONLY).then(answer).then(function (data) {
      if (!data.ok) { refused(data.message); return; }
      dialog.querySelector("[data-dialog-name]").textContent = event.item.querySelector("[data-name]").textContent;
      showForm(data.html);
      modal.show();
    }, function () { refused(); });
  }

  // Columns, counts and totals as the server has them now (the board's filters kept).
  function refresh() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        fresh.querySelectorAll(".board-col[data-stage]").forEach(function (column) {
          var old = board.querySelector(".board-col[data-stage='" + column.dataset.stage + "']");
          if (old) { old.replaceWith(document.importNode(column, true)); }
        });
        var count = fresh.querySelector("[data-side-count]");
        if (count) { board.querySelector("[data-side-count]").textContent = count.textContent; }
        start();
      })
      .catch(function () { /* the move is saved and said; the columns catch up on the next load */ });
  }

  function start() {
    board.querySelectorAll("[data-drop]").forEach(function (list) {
      // A link is natively draggable: the browser's own drag of it would cancel Sortable's.
      list.querySelectorAll("[data-move]").forEach(function (card) { card.draggable = false; });
      if (Sortable.get(list)) { return; }
      Sortable.create(list, {
        group: "stages", sort: false, draggable: ".board-card[data-move]", animation: 150,
        forceFallback: true, fallbackTolerance: 4, delay: 250, delayOnTouchOnly: true,
        ghostClass: "board-card-ghost", chosenClass: "board-card-chosen", onEnd: dropped
      });
    });
  }

  document.addEventListener("submit", submit);
  dialog.addEventListener("shown.bs.modal", function () { window.crmStageForm.focus(body.querySelector("form")); });
  dialog.addEventListener("hidden.bs.modal", function () { putBack(); body.textContent = ""; });
  var hint = document.querySelector("[data-drag-hint]");
  if (hint) { hint.hidden = false; }
  start();
})();
