// Self-assessment form: item scores, section subtotals and the running total as the user types.
// Display only: the server recomputes every score with Decimal arithmetic when the form is saved.
(function () {
  "use strict";
  var sheet = document.getElementById("sheet");
  if (!sheet) { return; }

  function num(text) {
    if (text === null || text === undefined || String(text).trim() === "") { return null; }
    var n = Number(text);
    return isFinite(n) ? n : null;
  }
  function fmt(n) {
    return (Math.round(n * 100) / 100).toString();
  }
  // The score a row earns from its visible input, or null when unscored; undefined when 不适用.
  function rowScore(row) {
    var na = row.querySelector(".js-na");
    var fixed = row.querySelector("[data-static-score]");
    if ((na && na.checked) || (fixed && fixed.getAttribute("data-na") === "1" && !row.querySelector(".js-score"))) {
      return undefined;
    }
    var max = num(row.getAttribute("data-max")) || 0;
    var input = row.querySelector(".js-score");
    if (!input) { return fixed ? num(fixed.getAttribute("data-static-score")) : null; }
    var value = input.value;
    var rule = row.getAttribute("data-rule");
    if (value === "") { return null; }
    if (rule === "yes_no") { return value === "1" ? max : 0; }
    if (rule === "scale") {
      var s = num(value);
      return s === null || s < 0 || s > max ? null : s;
    }
    var findings = num(value);
    if (findings === null || findings < 0) { return null; }
    var per = num(row.getAttribute("data-deduction")) || 0;
    return Math.max(max - per * Math.floor(findings), 0);
  }

  function recompute() {
    var total = 0, maxTotal = 0, sections = {};
    sheet.querySelectorAll(".sheet-row").forEach(function (row) {
      var sid = row.getAttribute("data-section");
      var sec = sections[sid] || (sections[sid] = { score: 0, max: 0 });
      var score = rowScore(row);
      var label = row.querySelector("[data-item-score]");
      var reason = row.querySelector(".js-na-reason");
      if (reason) { reason.hidden = !(row.querySelector(".js-na") || {}).checked; }
      var input = row.querySelector(".js-score");
      if (input && row.querySelector(".js-na")) { input.disabled = score === undefined; }
      if (score === undefined) {
        if (label) { label.textContent = "不适用"; }
        return;
      }
      var max = num(row.getAttribute("data-max")) || 0;
      sec.max += max; maxTotal += max;
      if (label) { label.textContent = score === null ? "—" : fmt(score) + " 分"; }
      if (score !== null) { sec.score += score; total += score; }
    });
    Object.keys(sections).forEach(function (sid) {
      document.querySelectorAll('[data-subtotal="' + sid + '"]').forEach(function (el) { el.textContent = fmt(sections[sid].score); });
      document.querySelectorAll('[data-section-max="' + sid + '"]').forEach(function (el) { el.textContent = fmt(sections[sid].max); });
    });
    document.querySelectorAll("[data-total]").forEach(function (el) { el.textContent = fmt(total); });
    document.querySelectorAll("[data-max-total]").forEach(function (el) { el.textContent = fmt(maxTotal); });
    document.querySelectorAll("[data-percent]").forEach(function (el) {
      el.textContent = maxTotal > 0 ? (Math.round(total / maxTotal * 10000) / 100).toFixed(2) : "—";
    });
  }

  sheet.addEventListener("input", recompute);
  sheet.addEventListener("change", recompute);

  // Warn before leaving with unsaved input.
  var dirty = false;
  sheet.addEventListener("input", function () { dirty = true; });
  if (sheet.tagName === "FORM") {
    sheet.addEventListener("submit", function () { dirty = false; });
  }
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  recompute();
})();
