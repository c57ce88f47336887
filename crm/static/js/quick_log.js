// The quick "记录对接" form: suggest enterprises while typing (interactions.lookup), remember
// the picked one's id, and offer its linked projects, preselecting the first.  Without JS the
// typed full name works and the server offers the linked projects when the form is re-shown.
//
// The project select (built by QuickLogForm.offer_projects) holds "—" and the chosen project
// ungrouped, then two groups this script rebuilds whenever another enterprise is picked: that
// enterprise's linked projects, and the user's recent ones (data-recent) not already listed.
(function () {
  "use strict";
  var form = document.getElementById("quick-log");
  if (!form) { return; }
  // 明天 / 一周后: fill the next follow-up date with the day the server worked out (local calendar).
  form.querySelectorAll("[data-follow-up]").forEach(function (button) {
    button.addEventListener("click", function () {
      form.querySelector("[name=next_follow_up]").value = button.dataset.followUp;
    });
  });
  var input = form.querySelector("[name=enterprise]");
  var hidden = form.querySelector("[name=enterprise_id]");
  var project = form.querySelector("[name=project_id]");
  var list = document.getElementById("enterprise-options");
  var found = {};
  var timer = null;
  var shownFor = hidden.value;  // the enterprise whose linked projects the select shows (server-rendered)
  var recent = [];
  try { recent = JSON.parse(project.dataset.recent || "[]"); } catch (e) { recent = []; }

  function linkedGroup() {
    return Array.prototype.find.call(project.querySelectorAll("optgroup"), function (g) {
      return g.label === project.dataset.linkedLabel;
    });
  }

  function group(label, projects) {
    var element = document.createElement("optgroup");
    element.label = label;
    projects.forEach(function (p) {
      element.appendChild(new Option(p.name, String(p.id)));  // text, never innerHTML: names are user text
    });
    return element;
  }

  function hasOption(value) {
    return Array.prototype.some.call(project.options, function (o) { return o.value === value; });
  }

  // A project picked from the old enterprise's list goes with it, unless the new one has it too;
  // the chosen project and a recent one the user picked stay.
  function showProjects(linked) {
    var old = linkedGroup();
    var keep = project.value;
    if (old && Array.prototype.some.call(old.children, function (o) { return o.value === keep; })) { keep = ""; }
    var fixed = {};
    Array.prototype.forEach.call(project.querySelectorAll(":scope > option"), function (o) { fixed[o.value] = true; });
    project.querySelectorAll("optgroup").forEach(function (g) { g.remove(); });
    var mine = linked.filter(function (p) { return !fixed[String(p.id)]; });
    mine.forEach(function (p) { fixed[String(p.id)] = true; });
    var rest = recent.filter(function (p) { return !fixed[String(p.id)]; });
    if (mine.length) { project.appendChild(group(project.dataset.linkedLabel, mine)); }
    if (rest.length) { project.appendChild(group(project.dataset.recentLabel, rest)); }
    linked.forEach(function (p) { if (!keep && hasOption(String(p.id))) { keep = String(p.id); } });
    project.value = keep && hasOption(keep) ? keep : "";
  }

  function pick() {
    var hit = found[input.value];
    hidden.value = hit ? hit.id : "";
    if (hit && String(hit.id) !== shownFor) {
      shownFor = String(hit.id);
      showProjects(hit.projects || []);
    }
  }

  function fill(enterprises) {
    found = {};
    list.replaceChildren();
    enterprises.forEach(function (e) {
      found[e.name] = e;
      var option = document.createElement("option");
      option.value = e.name;  // textContent/value: never innerHTML, names are user text
      // The label too is matched as the user types: a partner typed by its Russian name stays listed.
      var label = (e.foreign_names || []).concat(e.credit_code ? [e.credit_code] : []).join(" · ");
      if (label) { option.label = label; }
      list.appendChild(option);
    });
    pick();
  }

  input.addEventListener("input", function () {
    pick();
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { return; }
    timer = setTimeout(function () {
      fetch(form.dataset.lookupUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {enterprises: []}; })
        .then(function (data) { fill(data.enterprises || []); })
        .catch(function () { /* offline: the typed name is resolved on save */ });
    }, 250);
  });
})();
