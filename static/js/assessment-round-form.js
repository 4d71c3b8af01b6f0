// Round form: pick departments from a checkbox list grouped by region and category, with "全选" per
// group and a search box. Plain checkboxes underneath, so the form also works without this script.
(function () {
  "use strict";
  var picker = document.querySelector("[data-dept-picker]");
  if (!picker) { return; }
  var search = picker.querySelector("[data-dept-search]");
  var count = picker.querySelector("[data-dept-count]");

  function options(group) {
    return Array.prototype.slice.call(group.querySelectorAll(".dept-option input[type=checkbox]"));
  }
  function visibleOptions(group) {
    return options(group).filter(function (box) { return !box.closest(".dept-option").hidden; });
  }
  // A group's "全选" box shows checked / mixed for the departments currently shown.
  function refresh() {
    picker.querySelectorAll("[data-dept-group]").forEach(function (group) {
      var all = group.querySelector(":scope > legend [data-select-all], :scope > div > label > [data-select-all]");
      if (!all) { return; }
      var shown = visibleOptions(group);
      var on = shown.filter(function (box) { return box.checked; }).length;
      all.checked = shown.length > 0 && on === shown.length;
      all.indeterminate = on > 0 && on < shown.length;
    });
    count.textContent = options(picker).filter(function (box) { return box.checked; }).length;
  }

  picker.addEventListener("change", function (event) {
    var box = event.target;
    if (box.hasAttribute("data-select-all")) {
      var group = box.closest("[data-dept-group]");
      visibleOptions(group).forEach(function (option) { option.checked = box.checked; });
    }
    refresh();
  });

  search.addEventListener("input", function () {
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    picker.querySelectorAll(".dept-option").forEach(function (label) {
      var text = (label.getAttribute("data-dept-text") || "").toLowerCase();
      label.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
    });
    picker.querySelectorAll("[data-dept-group]").forEach(function (group) {
      group.hidden = visibleOptions(group).length === 0;
    });
    refresh();
  });
  // Enter in the search box must not submit the round form.
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }
  });
  refresh();
})();
