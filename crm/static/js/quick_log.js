// The quick "记录对接" form: suggest enterprises while typing (interactions.lookup), remember
// the picked one's id, and preselect its linked project.  Without JS the typed full name works.
(function () {
  "use strict";
  var form = document.getElementById("quick-log");
  if (!form) { return; }
  var input = form.querySelector("[name=enterprise]");
  var hidden = form.querySelector("[name=enterprise_id]");
  var project = form.querySelector("[name=project_id]");
  var list = document.getElementById("enterprise-options");
  var found = {};
  var timer = null;

  function pick() {
    var hit = found[input.value];
    hidden.value = hit ? hit.id : "";
    if (hit && project && !project.value && hit.projects.length) {
      var wanted = String(hit.projects[0].id);
      if (Array.prototype.some.call(project.options, function (o) { return o.value === wanted; })) {
        project.value = wanted;
      }
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
