// Pickers that search the server: a <select data-lookup-url data-lookup-key> holds only what is
// chosen (the page stays small however many enterprises or projects there are); typing in its
// search box (#<id>-search) asks the lookup URL and lists the matches as further, unselected
// options.  #<id>-status says when nothing matched or the list was cut; #<id>-chosen, if there,
// names what is chosen.  Without JS the select still submits what is chosen.
(function () {
  "use strict";
  var MIN_CHARS = 2;  // as the quick log: one character matches half the list

  function setUp(select) {
    var search = document.getElementById(select.id + "-search");
    var status = document.getElementById(select.id + "-status");
    var chosen = document.getElementById(select.id + "-chosen");
    if (!search) { return; }
    var timer = null;
    var asked = 0;  // the newest request's number: a slower, older answer is dropped
    search.hidden = false;

    function each(callback) {
      Array.prototype.slice.call(select.options).forEach(callback);
    }

    function showChosen() {
      if (!chosen) { return; }
      var names = [];
      each(function (o) { if (o.selected && o.value) { names.push(o.text); } });
      chosen.textContent = names.length ? names.join("、") : "—";
    }

    // Unselected options are the last search's results; what is chosen always stays.
    function dropResults() {
      each(function (o) { if (!o.selected) { o.remove(); } });
    }

    function say(text) {
      if (status) { status.textContent = text || ""; }
    }

    function fill(data) {
      dropResults();
      var listed = {};
      each(function (o) { listed[o.value] = true; });
      var found = data[select.dataset.lookupKey] || [];
      found.forEach(function (item) {
        if (listed[String(item.id)]) { return; }
        var option = new Option(item.name, String(item.id));  // text, never HTML: names are user text
        var extra = (item.foreign_names || []).concat(item.credit_code ? [item.credit_code] : []).join(" · ");
        if (extra) { option.title = extra; }
        select.add(option);
      });
      say(found.length === 0 ? status && status.dataset.none : (data.more ? status && status.dataset.more : ""));
    }

    function ask(q) {
      var number = ++asked;
      fetch(select.dataset.lookupUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (data) { if (number === asked) { fill(data); } })
        .catch(function () { /* offline: what is chosen is still saved */ });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      var q = search.value.trim();
      if (q.length < MIN_CHARS) {
        asked += 1;  // an answer still on its way is for a term no longer there
        dropResults();
        say("");
        return;
      }
      timer = setTimeout(function () { ask(q); }, 250);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // a search, not a save
    });
    if (select.multiple) {
      // A click toggles one option: a plain click in a multiple select would unselect the others,
      // and the next search would then drop them from the list.
      select.addEventListener("mousedown", function (event) {
        if (event.target.tagName !== "OPTION" || event.button !== 0) { return; }
        event.preventDefault();
        event.target.selected = !event.target.selected;
        select.focus();
        select.dispatchEvent(new Event("change", {bubbles: true}));
      });
    }
    select.addEventListener("change", showChosen);
    showChosen();
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[data-lookup-url]"), setUp);
})();
