// 挂图作战 board: ECharts initialised from the json_script data (no inline scripts: CSP).
(function () {
  "use strict";
  var select = document.querySelector("select[data-autonav]");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
  var node = document.getElementById("board-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var colors = { not_started: "#adb5bd", in_progress: "#0d6efd", applied: "#ffc107", head_confirmed: "#0dcaf0", closed: "#198754" };
  var charts = [];
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = window.echarts.init(el);
    c.setOption(option);
    charts.push(c);
  }
  chart("chart-status", {
    tooltip: { trigger: "item" },
    series: [{
      type: "pie", radius: ["40%", "70%"], label: { formatter: "{b}\n{c}" },
      data: data.status.filter(function (s) { return s.value > 0; }).map(function (s) {
        return { name: s.name, value: s.value, itemStyle: { color: colors[s.status] } };
      })
    }]
  });
  chart("chart-category", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.categories.map(function (c) { return c.name; }) },
    series: [
      { name: "已销号", type: "bar", stack: "t", color: "#198754", data: data.categories.map(function (c) { return c.closed; }) },
      { name: "未销号（其中逾期另列）", type: "bar", stack: "t", color: "#0d6efd", data: data.categories.map(function (c) { return c.total - c.closed - c.overdue; }) },
      { name: "逾期", type: "bar", stack: "t", color: "#dc3545", data: data.categories.map(function (c) { return c.overdue; }) }
    ]
  });
  chart("chart-timeline", {
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 16, bottom: 8, top: 16, containLabel: true },
    xAxis: { type: "category", data: data.timeline.map(function (t) { return t.month; }) },
    yAxis: { type: "value", minInterval: 1, name: "到期事项" },
    series: [{
      type: "bar", name: "未销号事项",
      data: data.timeline.map(function (t) {
        return { value: t.n, itemStyle: { color: t.highlight ? "#dc3545" : "#6c8ebf" } };
      }),
      label: { show: true, position: "top" }
    }]
  });
  chart("chart-burndown", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
    xAxis: { type: "category", data: data.burndown.map(function (b) { return b.month; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "月末未销号", type: "line", smooth: true, areaStyle: { opacity: 0.15 }, color: "#9b1c1c", data: data.burndown.map(function (b) { return b.open; }) },
      { name: "当月新增", type: "bar", color: "#6c8ebf", data: data.burndown.map(function (b) { return b.opened; }) },
      { name: "当月销号", type: "bar", color: "#198754", data: data.burndown.map(function (b) { return b.closed; }) }
    ]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
