// Project form: filter the investor list as you type and show what is selected.
(function () {
  "use strict";
  var search = document.getElementById("investor-search");
  var select = document.getElementById("investor_ids");
  var chosen = document.getElementById("investor-chosen");
  if (!search || !select) { return; }

  function showChosen() {
    var names = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
      .map(function (o) { return o.text; });
    chosen.textContent = names.length ? names.join("、") : "—";
  }

  search.addEventListener("input", function () {
    var term = search.value.trim().toLowerCase();
    Array.prototype.forEach.call(select.options, function (o) {
      // Selected investors stay visible so a filter never hides what will be saved.
      o.hidden = term !== "" && !o.selected && o.text.toLowerCase().indexOf(term) === -1;
    });
  });
  select.addEventListener("change", showChosen);
  showChosen();
})();
