// Small behaviours any page may use, declared in the markup instead of inline handlers (the
// Content-Security-Policy runs no inline script):
//   <form data-confirm="确定删除…？">  asks before submitting; "cancel" keeps the form unsent.
//   <button data-print>               prints the page.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
