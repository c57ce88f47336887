/* Goals dashboard charts (Apache ECharts, vendored).  Data comes from the page as JSON in
   <script id="dashboard-data">; the tables beside each chart hold the exact figures. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }

  draw("chart-funnel", {
    tooltip: { trigger: "axis" },
    // The legend sits below the chart so the axis names above it have the top row to themselves.
    legend: { bottom: 0, data: [data.labels.count, data.labels.investment] },
    grid: { left: 48, right: 56, bottom: 64, top: 32 },
    // Every stage labelled, long English names broken over two lines instead of skipped.
    xAxis: { type: "category", data: data.funnel.labels, axisLabel: { interval: 0, width: 76, overflow: "break" } },
    // Axis names grow inwards from their axis: centred, the right one ran off the chart.
    yAxis: [{ type: "value", name: data.labels.count, minInterval: 1, nameTextStyle: { align: "left" } },
            { type: "value", name: data.labels.investment, nameTextStyle: { align: "right" } }],
    series: [
      { name: data.labels.count, type: "bar", data: data.funnel.counts },
      { name: data.labels.investment, type: "line", yAxisIndex: 1, data: data.funnel.investment }
    ]
  });

  draw("chart-sectors", {
    tooltip: { trigger: "item", formatter: "{b}: {c} " + data.labels.wan + " ({d}%)" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.sectors }]
  });

  draw("chart-moves", {
    tooltip: { trigger: "axis" },
    legend: { data: data.moves.series.map(function (s) { return s.name; }) },
    grid: { left: 36, right: 16, bottom: 24, top: 32 },
    xAxis: { type: "category", data: data.moves.months },
    yAxis: { type: "value", minInterval: 1 },
    series: data.moves.series.map(function (s) { return { name: s.name, type: "bar", stack: "moves", data: s.data }; })
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
