// Small behaviours any page may use, declared in the markup instead of inline handlers (the
// Content-Security-Policy runs no inline script):
//   <form data-confirm="确定删除…？">  asks before submitting; "cancel" keeps the form unsent.
//   <button data-print>               prints the page.
//   <form data-autosubmit>            submits when one of its fields changes (filters apply as
//                                     ticked; their button does the same without script).
// And on every page: each data cell of a .table learns its column's heading (data-label), which
// a phone-width screen shows beside the value when app.css turns the rows into cards.
(function () {
  "use strict";
  function labelCells(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead tr:last-child th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && heads[column]) {
          cell.setAttribute("data-label", heads[column]);
        }
        column += cell.colSpan;
      });
    });
  }
  function labelTables() { document.querySelectorAll("table.table").forEach(labelCells); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", labelTables);
  } else {
    labelTables();
  }
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
  });
})();
