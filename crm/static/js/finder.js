// The top bar's search (templates/finder/_box.html): as the user types, the suggestions of
// form.dataset.suggestUrl, grouped by kind, in an ARIA combobox: ↑/↓ move, Enter opens the chosen
// one (or, with none chosen, submits the form to the full results page), Esc closes, a click
// opens.  "/" anywhere but in a field focuses the box.  Where the bar has no room for the field
// (a phone, the English menu) a magnifier (.app-search-opener) opens it as a panel under the bar;
// Esc or leaving it closes the panel.  Names are user text: set as text, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("app-search");
  if (!form) { return; }
  var input = document.getElementById("app-search-q");
  var list = document.getElementById("app-search-list");
  var openers = Array.prototype.slice.call(document.querySelectorAll(".app-search-opener"));
  var minChars = parseInt(form.dataset.minChars, 10) || 2;
  var timer = null;
  var asked = 0;  // the newest request's number: an older, slower answer is dropped
  var active = -1;

  function options() { return list.querySelectorAll("[role=option]"); }

  function setOpen(open) {
    list.classList.toggle("show", open);
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { choose(-1); }
  }

  function choose(index) {
    var all = options();
    active = index;
    Array.prototype.forEach.call(all, function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0 && all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({block: "nearest"});
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function item(tag, className, text) {
    var element = document.createElement(tag);
    element.className = className;
    element.textContent = text;
    return element;
  }

  function option(url, title, detail) {
    var li = item("li", "dropdown-item text-wrap", "");
    li.setAttribute("role", "option");
    li.id = "app-search-option-" + options().length;
    li.dataset.url = url;
    li.appendChild(item("div", "text-break", title));
    if (detail) { li.appendChild(item("div", "small text-muted text-break", detail)); }
    list.appendChild(li);
  }

  function show(data) {
    list.textContent = "";
    var groups = data.groups || [];
    groups.forEach(function (group) {
      var header = item("li", "dropdown-header", group.label);
      header.setAttribute("role", "presentation");
      list.appendChild(header);
      group.items.forEach(function (found) { option(found.url, found.title, found.detail); });
    });
    if (!groups.length) {
      var none = item("li", "dropdown-item-text small text-muted", form.dataset.none);
      none.setAttribute("role", "presentation");
      list.appendChild(none);
    }
    var divider = item("li", "", "");
    divider.setAttribute("role", "presentation");
    divider.appendChild(item("hr", "dropdown-divider", ""));
    list.appendChild(divider);
    option(data.all_url, form.dataset.all, "");
    setOpen(true);
  }

  function ask(q) {
    var number = ++asked;
    fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && number === asked && input.value.trim() === q) { show(data); } })
      .catch(function () { /* offline: Enter still submits the form */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.replace(/\s/g, "").length < minChars) {
      asked += 1;  // an answer still on its way is for a term no longer there
      setOpen(false);
      return;
    }
    timer = setTimeout(function () { ask(q); }, 200);
  });

  input.addEventListener("keydown", function (event) {
    var count = options().length;
    var open = list.classList.contains("show");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open || !count) { return; }
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      choose(active < 0 && step < 0 ? count - 1 : (active + step + count) % count);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      window.location.assign(options()[active].dataset.url);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      setOpen(false);
    } else if (event.key === "Escape" && form.classList.contains("app-search-open")) {
      event.preventDefault();
      input.blur();  // closes the panel
    }
  });

  list.addEventListener("mousedown", function (event) {
    event.preventDefault();  // keep the focus in the field (its blur would close the list first)
  });
  list.addEventListener("click", function (event) {
    var picked = event.target.closest("[role=option]");
    if (picked) { window.location.assign(picked.dataset.url); }
  });

  function setPanel(open) {
    form.classList.toggle("app-search-open", open);
    openers.forEach(function (opener) { opener.setAttribute("aria-expanded", open ? "true" : "false"); });
  }

  input.addEventListener("blur", function (event) {
    setOpen(false);
    // Leaving the panel closes it, unless for a magnifier (whose click toggles it).
    if (!(event.relatedTarget && event.relatedTarget.closest(".app-search-opener"))) { setPanel(false); }
  });
  input.addEventListener("focus", function () {
    if (list.children.length && input.value.trim().replace(/\s/g, "").length >= minChars) { setOpen(true); }
  });

  openers.forEach(function (opener) {
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      var open = !form.classList.contains("app-search-open");
      setPanel(open);
      if (open) { input.focus(); }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) { return; }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    event.preventDefault();
    if (!form.offsetParent) { setPanel(true); }  // no room in the bar: the panel
    input.focus();
    input.select();
  });
})();
