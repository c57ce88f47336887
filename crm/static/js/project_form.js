// Project form: the investor select holds only the chosen investors (the page stays small however
// many enterprises there are); typing in the search box asks enterprises.lookup and lists the
// matches as further, unselected options.  Without JS the select still submits what is chosen.
(function () {
  "use strict";
  var form = document.getElementById("project-form");
  var search = document.getElementById("investor-search");
  var select = document.getElementById("investor_ids");
  var chosen = document.getElementById("investor-chosen");
  var status = document.getElementById("investor-status");
  if (!form || !search || !select) { return; }
  var MIN_CHARS = 2;  // as the quick log: one character matches half the list
  var timer = null;
  search.hidden = false;
  var asked = 0;  // the newest request's number: a slower, older answer is dropped

  function each(callback) {
    Array.prototype.slice.call(select.options).forEach(callback);
  }

  function showChosen() {
    var names = [];
    each(function (o) { if (o.selected) { names.push(o.text); } });
    chosen.textContent = names.length ? names.join("、") : "—";
  }

  // Unselected options are the last search's results; what is chosen always stays.
  function dropResults() {
    each(function (o) { if (!o.selected) { o.remove(); } });
  }

  function fill(data) {
    dropResults();
    var listed = {};
    each(function (o) { listed[o.value] = true; });
    var found = data.enterprises || [];
    found.forEach(function (e) {
      if (listed[String(e.id)]) { return; }
      var option = new Option(e.name, String(e.id));  // text, never HTML: names are user text
      var extra = (e.foreign_names || []).concat(e.credit_code ? [e.credit_code] : []).join(" · ");
      if (extra) { option.title = extra; }
      select.add(option);
    });
    status.textContent = found.length === 0 ? status.dataset.none : (data.more ? status.dataset.more : "");
  }

  function ask(q) {
    var number = ++asked;
    fetch(form.dataset.lookupUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {enterprises: []}; })
      .then(function (data) { if (number === asked) { fill(data); } })
      .catch(function () { /* offline: the chosen investors are still saved */ });
  }

  search.addEventListener("input", function () {
    clearTimeout(timer);
    var q = search.value.trim();
    if (q.length < MIN_CHARS) {
      asked += 1;  // an answer still on its way is for a term no longer there
      dropResults();
      status.textContent = "";
      return;
    }
    timer = setTimeout(function () { ask(q); }, 250);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }  // a search, not a save
  });
  // A click toggles one investor: a plain click in a multiple select would unselect the others,
  // and the next search would then drop them from the list.
  select.addEventListener("mousedown", function (event) {
    if (event.target.tagName !== "OPTION" || event.button !== 0) { return; }
    event.preventDefault();
    event.target.selected = !event.target.selected;
    select.focus();
    select.dispatchEvent(new Event("change", {bubbles: true}));
  });
  select.addEventListener("change", showChosen);
  showChosen();
})();
