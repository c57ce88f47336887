// List pages: behaviours declared in the markup (the Content-Security-Policy runs no inline script).
//   <form data-autosubmit>              a filter form that applies itself when a select or box
//                                       changes (without JS its button still submits it).
//   <input data-select-all="ids">       ticks every row checkbox named "ids" on the page; its
//                                       [data-select-all-label] is shown only here (no JS: no use).
//   #bulk-count[data-template]          says how many rows are ticked ("已选 {n} 项").
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.matches("select, input[type=checkbox], input[type=radio], input[type=date], input[type=month]") ||
          event.target.matches("input[list]")) {
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
  });
  var counter = document.getElementById("bulk-count");
  function rows(name) { return document.querySelectorAll("input[type=checkbox][name='" + name + "']"); }
  function update() {
    if (!counter) { return; }
    var ticked = document.querySelectorAll("input[type=checkbox][name=ids]:checked").length;
    counter.textContent = counter.dataset.template.replace("{n}", String(ticked));
  }
  document.querySelectorAll("input[data-select-all]").forEach(function (box) {
    var label = box.closest("[data-select-all-label]");
    if (label) { label.hidden = false; }
    box.addEventListener("change", function () {
      rows(box.dataset.selectAll).forEach(function (row) { row.checked = box.checked; });
      update();
    });
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[type=checkbox][name=ids]")) { update(); }
  });
})();
