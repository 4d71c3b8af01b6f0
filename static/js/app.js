// sanding: behaviour without inline scripts (the Content Security Policy forbids them).
(function () {
  "use strict";

  // Any element with data-confirm asks before it submits or navigates.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Filter forms marked data-autosubmit submit when a select changes (htmx handles the rest).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") {
      if (window.htmx) { window.htmx.trigger(form, "submit"); } else { form.submit(); }
    }
  });
})();
