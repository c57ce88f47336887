/* A chain's map (Apache ECharts graph, vendored): links placed left to right by depth, coloured by
   state, sized by investment; clicking a link opens its firms and projects.  The data comes from
   <script id="chain-map-data">; the table below the map holds the same facts for screen readers. */
(function () {
  "use strict";
  var source = document.getElementById("chain-map-data");
  var el = document.getElementById("chain-map");
  if (!source || !el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: {
      formatter: function (p) {
        if (p.dataType !== "node") { return ""; }
        var d = p.data;
        return echarts.format.encodeHTML(d.name) + "<br>" + d.position + " · " + d.stateLabel +
          "<br>" + d.investment.toLocaleString() + " " + data.wan;
      }
    },
    series: [{
      type: "graph", layout: "none", roam: true, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
      label: { show: true, position: "bottom", width: 120, overflow: "break" },
      lineStyle: { color: "#6c757d", width: 2 },
      data: data.nodes, links: data.edges
    }]
  });
  chart.on("click", function (p) {
    if (p.dataType === "node" && p.data.url) { window.location.href = p.data.url; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.chainMap = chart;  // the browser test finds the nodes' positions through it
})();
