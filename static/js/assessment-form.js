// Self-assessment form: item scores, section subtotals and the running total as the user types.
// The same rules as the server (sanding/assessment/scoring.py), with the same messages: a scale score
// must lie in 0..max and be a whole multiple of the step, deduction findings a whole number ≥ 0. An
// invalid value gets an inline hint and is left out of the totals. Display only: the server recomputes
// every score with Decimal arithmetic when the form is saved.
(function () {
  "use strict";
  var sheet = document.getElementById("sheet");
  if (!sheet) { return; }

  // Exact decimal arithmetic on short numbers: "7.5" -> {n: 75, scale: 1}.
  function parseDecimal(text) {
    var t = String(text).trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) { return null; }
    var negative = t.charAt(0) === "-";
    t = t.replace(/^[+-]/, "");
    var parts = t.split(".");
    var frac = parts[1] || "";
    var digits = (parts[0] || "0") + frac;
    var n = Number(digits);
    if (!isFinite(n) || digits.length > 15) { return null; }
    return { n: negative ? -n : n, scale: frac.length };
  }
  function scaled(d, scale) { return d.n * Math.pow(10, scale - d.scale); }
  function toNumber(d) { return d.n / Math.pow(10, d.scale); }
  function fmt(n) {
    return String(Math.round(n * 100) / 100);
  }
  function label(text) {  // "10.00" -> "10", as the server writes numbers in its messages
    var d = parseDecimal(text);
    return d ? fmt(toNumber(d)) : String(text);
  }

  // {score: number|null, error: string} for a typed value under the row's rule.
  function evaluate(row, value) {
    var rule = row.getAttribute("data-rule");
    var maxText = row.getAttribute("data-max") || "0";
    var max = parseDecimal(maxText) || { n: 0, scale: 0 };
    if (value === "") { return { score: null, error: "" }; }
    if (rule === "yes_no") {
      if (value === "1") { return { score: toNumber(max), error: "" }; }
      if (value === "0") { return { score: 0, error: "" }; }
      return { score: null, error: "请选择“是”或“否”。" };
    }
    var d = parseDecimal(value);
    if (d === null) { return { score: null, error: "“" + value + "”不是有效的数字。" }; }
    if (rule === "scale") {
      var step = parseDecimal(row.getAttribute("data-step") || "1") || { n: 1, scale: 0 };
      var scale = Math.max(d.scale, max.scale, step.scale);
      if (d.n < 0 || scaled(d, scale) > scaled(max, scale)) {
        return { score: null, error: "得分须在 0 至 " + label(maxText) + " 分之间。" };
      }
      if (scaled(d, scale) % scaled(step, scale) !== 0) {
        return { score: null, error: "得分须为 " + label(row.getAttribute("data-step")) + " 分的整数倍。" };
      }
      return { score: toNumber(d), error: "" };
    }
    // deduction: the number of findings
    if (d.n < 0) { return { score: null, error: "问题处数不能为负数。" }; }
    if (d.scale > 0 && d.n % Math.pow(10, d.scale) !== 0) {
      return { score: null, error: "问题处数须为整数。" };
    }
    var per = parseDecimal(row.getAttribute("data-deduction") || "0") || { n: 0, scale: 0 };
    var s = Math.max(max.scale, per.scale);
    var findings = toNumber(d);
    var left = scaled(max, s) - scaled(per, s) * findings;
    return { score: Math.max(left, 0) / Math.pow(10, s), error: "" };
  }

  function hintFor(input) {
    var hint = input.parentNode.querySelector(".score-hint");
    if (!hint) {
      hint = document.createElement("div");
      hint.className = "score-hint mt-1";
      hint.setAttribute("role", "status");
      input.insertAdjacentElement("afterend", hint);
    }
    return hint;
  }

  // The score a row earns: a number, null when unscored or invalid, undefined when 不适用.
  function rowScore(row) {
    var na = row.querySelector(".js-na");
    var reject = row.querySelector(".js-reject-na");
    var fixed = row.querySelector("[data-static-score]");
    var input = row.querySelector(".js-score");
    if (na && na.checked) { return undefined; }
    if (reject && !reject.checked) { return undefined; }  // reviewer accepts the department's 不适用
    if (!input) {
      if (fixed && fixed.getAttribute("data-na") === "1") { return undefined; }
      if (!fixed) { return null; }
      var d = parseDecimal(fixed.getAttribute("data-static-score"));
      return d ? toNumber(d) : null;
    }
    var result = input.validity && input.validity.badInput
      ? { score: null, error: "请填写有效的数字。" }
      : evaluate(row, input.value.trim());
    input.classList.toggle("is-invalid", !!result.error);
    var hint = hintFor(input);
    var server = row.querySelector("[data-server-error]");
    var repeated = server && server.textContent.trim() === result.error;  // already said above the row
    hint.textContent = repeated ? "" : result.error;
    hint.hidden = !result.error || repeated;
    return result.score;
  }

  function recompute() {
    var total = 0, maxTotal = 0, sections = {};
    sheet.querySelectorAll(".sheet-row").forEach(function (row) {
      var sid = row.getAttribute("data-section");
      var sec = sections[sid] || (sections[sid] = { score: 0, max: 0 });
      var reason = row.querySelector(".js-na-reason");
      var naBox = row.querySelector(".js-na");
      if (reason) { reason.hidden = !(naBox && naBox.checked); }
      var score = rowScore(row);
      var label = row.querySelector("[data-item-score]");
      var input = row.querySelector(".js-score");
      if (input && (naBox || row.querySelector(".js-reject-na"))) { input.disabled = score === undefined; }
      if (score === undefined) {
        if (label) { label.textContent = "不适用"; }
        return;
      }
      var maxD = parseDecimal(row.getAttribute("data-max") || "0");
      var max = maxD ? toNumber(maxD) : 0;
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
      el.textContent = maxTotal > 0 ? fmt(Math.round(total / maxTotal * 10000) / 100) : "—";
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
