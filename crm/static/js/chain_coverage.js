/* The goals dashboard's chain coverage over time (Apache ECharts, vendored): one line per chain,
   the percentage of its links covered on each recorded day.  The table beside it holds the figures. */
(function () {
  "use strict";
  var source = document.getElementById("chain-coverage-data");
  var el = document.getElementById("chart-chains");
  if (!source || !el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 40, right: 16, top: 16, bottom: 56 },
    xAxis: { type: "time" },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: data.series.map(function (s) {
      return { name: s.name, type: "line", showSymbol: s.data.length < 2, data: s.data };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
