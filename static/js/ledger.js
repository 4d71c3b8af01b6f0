// Ledger list: select-all checkbox and the selected count for bulk actions (no inline scripts: CSP).
(function () {
  "use strict";
  function update(form) {
    var n = form.querySelectorAll("input[name=ids]:checked").length;
    form.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = n; });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest("#bulk-form");
    if (!form) { return; }
    if (event.target.matches("[data-select-all]")) {
      form.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = event.target.checked; });
    }
    update(form);
  });
})();
