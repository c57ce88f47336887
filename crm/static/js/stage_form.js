// Stage-move form: show the contract amount for a signing and the reason for pause, drop,
// skip or move back, and say which evidence file the chosen stage needs.  Each option carries
// data-amount / data-reason / data-files from the server, which knows the rules
// (services/pipeline.classify, services/files/rules); the server checks again on submit.
(function () {
  "use strict";
  var form = document.getElementById("stage-form");
  if (!form) { return; }
  var select = form.querySelector("select[name=to_stage]");
  var needed = document.getElementById("stage-files-needed");

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
})();
