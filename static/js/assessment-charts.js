// Assessment charts (ECharts, vendored): data comes from <script type="application/json"> blocks
// rendered with json_script, so no inline script is needed (CSP).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  function data(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }
  var builders = {
    distribution: function (d) {
      return {
        grid: { left: 40, right: 16, top: 24, bottom: 32 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", minInterval: 1, name: "部门数" },
        series: [{ type: "bar", data: d.counts, itemStyle: { color: "#9b1c1c" }, label: { show: true, position: "top" } }]
      };
    },
    trend: function (d) {
      return {
        grid: { left: 40, right: 16, top: 24, bottom: 48 },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, width: 90, overflow: "truncate" } },
        yAxis: { type: "value", min: 0, max: 100, name: "得分率%" },
        series: [{ type: "line", data: d.values, symbolSize: 8, itemStyle: { color: "#9b1c1c" }, label: { show: true, formatter: "{c}%" } }]
      };
    }
  };
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    if (el.getAttribute("data-ready")) { return; }
    var d = data(el);
    var build = builders[el.getAttribute("data-chart")];
    if (!d || !build) { return; }
    el.setAttribute("data-ready", "1");
    var chart = window.echarts.init(el);
    chart.setOption(build(d));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
