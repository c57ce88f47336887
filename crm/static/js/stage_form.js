// Stage-move form: show the contract amount for a signing and the reason for pause, drop,
// skip or move back, and say which evidence file the chosen stage needs.  Each option carries
// data-amount / data-reason / data-files from the server, which knows the rules
// (services/pipeline.classify, services/files/rules); the server checks again on submit.
// The project page's form is bound on load; the board binds the copy its dialog fetches
// (window.crmStageForm.bind) and puts the cursor where typing starts (.focus).
(function () {
  "use strict";

  function bind(form) {
    var select = form.querySelector("select[name=to_stage]");
    var needed = form.querySelector("[data-files-needed]");

    function update() {
      var option = select.options[select.selectedIndex];
      var needs = { amount: option && option.dataset.amount === "1", reason: option && option.dataset.reason === "1" };
      form.querySelectorAll("[data-show]").forEach(function (box) {
        var wanted = needs[box.dataset.show];
        // Keep a box open when it shows an error, so the message is never hidden.
        box.hidden = !wanted && !box.querySelector(".invalid-feedback");
      });
      if (needed) {
        var files = option && option.dataset.files;
        needed.textContent = files ? needed.dataset.prefix + files : "";
        needed.hidden = !files;
      }
    }

    select.addEventListener("change", update);
    update();
  }

  // The first field to type into with an error, else the first empty one the chosen stage asks
  // for (amount, reason), else the evidence: typing can start without a click.  (A rule's refusal
  // stands under the stage picker, which needs no typing.)
  function focus(form) {
    var fields = Array.prototype.filter.call(form.querySelectorAll("input, textarea"), function (el) {
      return el.type !== "hidden" && el.type !== "file" && el.type !== "checkbox" && !el.closest("[hidden]");
    });
    var target = fields.find(function (el) { return el.classList.contains("is-invalid"); }) ||
      fields.find(function (el) { return el.closest("[data-show]") && !el.value; }) ||
      form.querySelector("textarea[name=evidence]");
    if (target) { target.focus(); }
  }

  window.crmStageForm = { bind: bind, focus: focus };
  var form = document.getElementById("stage-form");
  if (form) { bind(form); }
})();
