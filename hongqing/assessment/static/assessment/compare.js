// Year on year: this year's months against last year's; a click on a point opens its records.
(function () {
  "use strict";
  var el = document.getElementById("compare-chart");
  var data = JSON.parse(document.getElementById("compare-data").textContent);
  if (!el || !window.echarts) return;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: data.labels },
    grid: { left: 50, right: 20, top: 30, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", name: data.unit, scale: true },
    series: [
      { name: data.labels[0], type: "line", data: data.now, symbolSize: 8 },
      { name: data.labels[1], type: "line", data: data.prior, lineStyle: { type: "dashed" } },
    ],
  });
  chart.on("click", function (p) {
    if (p.seriesIndex === 0 && data.urls[p.dataIndex]) window.location.href = data.urls[p.dataIndex];
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
