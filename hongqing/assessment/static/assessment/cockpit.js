// The cockpit's charts (ECharts, served locally). Every point carries the URL of the records behind it:
// a click opens them. On the big screen the page reloads itself every data-refresh seconds.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cockpit-data").textContent);
  var L = JSON.parse(document.getElementById("cockpit-labels").textContent);
  var screen = document.body.classList.contains("hq-screen");
  var theme = screen ? "dark" : null;
  var charts = [];
  var palette = ["#c8161d", "#d4a017", "#2f6fbf", "#3a9d5d", "#8e44ad", "#e67e22", "#16a085", "#7f8c8d"];

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el, theme, { renderer: "canvas" });
    option.backgroundColor = "transparent";
    option.color = option.color || palette;
    option.animation = !screen;
    chart.setOption(option);
    chart.on("click", function (p) {
      var url = onClick ? onClick(p) : p.data && p.data.url;
      if (url) window.location.href = url;
    });
    charts.push(chart);
    return chart;
  }
  function shortMonths(months) {
    return months.map(function (m) { var parts = m.match(/(\d+)\D*$/); return parts ? parts[1] : m; });
  }
  function emptyText(series) {
    return series.length ? [] : [{ type: "text", left: "center", top: "middle", style: { text: L.noData, fill: "#999", fontSize: 14 } }];
  }

  // Trends: one line per indicator, each point linked to its month's records.
  function trendOption(list, percentOnly) {
    var series = list.map(function (t) {
      return {
        name: t.label + (t.unit ? "（" + t.unit + "）" : ""),
        type: "line",
        smooth: true,
        symbolSize: 7,
        yAxisIndex: 0,
        data: t.points.map(function (p) { return { value: p.v, url: p.url }; }),
      };
    });
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 16, top: 34, bottom: 26 },
      xAxis: { type: "category", data: shortMonths(data.months).slice(0, list.length ? list[0].points.length : 12) },
      yAxis: { type: "value", scale: !percentOnly, max: percentOnly ? 100 : null },
      series: series,
      graphic: emptyText(series),
    };
  }
  var partyPercent = data.party.every(function (t) { return t.unit === "%"; });
  make("chart-party", trendOption(data.party, partyPercent));
  // Business indicators have different units: each on its own scale (normalised to its own maximum).
  (function () {
    var series = data.business.map(function (t) {
      var max = Math.max.apply(null, t.points.map(function (p) { return p.v || 0; })) || 1;
      return {
        name: t.label + "（" + t.unit + "）",
        type: "line",
        smooth: true,
        symbolSize: 7,
        data: t.points.map(function (p) { return { value: p.v === null ? null : Math.round((p.v / max) * 1000) / 10, raw: p.v, url: p.url }; }),
      };
    });
    make("chart-business", {
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          return items.map(function (i) { return i.marker + i.seriesName + "：" + (i.data.raw === null ? "—" : i.data.raw); }).join("<br>");
        },
      },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 16, top: 34, bottom: 26 },
      xAxis: { type: "category", data: shortMonths(data.months).slice(0, series.length ? series[0].data.length : 12) },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: series,
      graphic: emptyText(series),
    });
  })();

  if (data.heat) {
    var cells = data.heat.cells.map(function (c) { return { value: [c.x, c.y, c.v], label: c.label, url: c.url }; });
    make("chart-heat", {
      tooltip: { formatter: function (p) { return data.heat.rows[p.data.value[1]] + " " + (p.data.value[0] + 1) + "：" + p.data.label; } },
      grid: { left: 90, right: 12, top: 8, bottom: 44 },
      xAxis: { type: "category", data: shortMonths(data.months), splitArea: { show: true } },
      yAxis: { type: "category", data: data.heat.rows, inverse: true, axisLabel: { width: 80, overflow: "truncate" } },
      visualMap: { type: "piecewise", orient: "horizontal", left: "center", bottom: 0, itemWidth: 14, itemHeight: 10,
        textStyle: { fontSize: 11 },
        pieces: [
          { value: 3, label: L.statusDone, color: "#198754" },
          { value: 2, label: L.statusDueSoon, color: "#ffc107" },
          { value: 1, label: L.statusOpen, color: "#ced4da" },
          { value: 0, label: L.statusOverdue, color: "#dc3545" },
        ] },
      series: [{ type: "heatmap", data: cells, label: { show: !screen || data.heat.rows.length < 14, formatter: function (p) { return p.data.label; }, fontSize: 10 } }],
      graphic: emptyText(cells),
    });
  }

  if (data.scores) {
    var br = data.scores.branches.slice().sort(function (a, b) { return (a.total || 0) - (b.total || 0); });
    function bars(key) { return br.map(function (b) { return { value: b[key], url: b.url }; }); }
    make("chart-rank", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 90, right: 16, top: 30, bottom: 20 },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", data: br.map(function (b) { return b.name; }), axisLabel: { width: 80, overflow: "truncate" } },
      series: [
        { name: L.party, type: "bar", data: bars("party") },
        { name: L.business, type: "bar", data: bars("business") },
        { name: L.total, type: "bar", data: bars("total") },
      ],
      graphic: emptyText(br),
    });
    var pts = data.scores.branches.filter(function (b) { return b.party !== null && b.business !== null; });
    function mean(key) { return pts.length ? pts.reduce(function (s, b) { return s + b[key]; }, 0) / pts.length : 0; }
    make("chart-quadrant", {
      tooltip: { formatter: function (p) { return p.data.name + "<br>" + L.party + " " + p.data.value[0] + "<br>" + L.business + " " + p.data.value[1]; } },
      grid: { left: 48, right: 24, top: 20, bottom: 40 },
      xAxis: { type: "value", name: L.party, nameLocation: "middle", nameGap: 24, scale: true },
      yAxis: { type: "value", name: L.business, scale: true },
      series: [{
        type: "scatter",
        symbolSize: 16,
        data: pts.map(function (b) { return { name: b.name, value: [b.party, b.business], url: b.url }; }),
        label: { show: true, position: "right", formatter: "{b}", fontSize: 10 },
        markLine: pts.length ? { silent: true, symbol: "none", lineStyle: { type: "dashed" },
          label: { formatter: L.mean }, data: [{ xAxis: Math.round(mean("party") * 10) / 10 }, { yAxis: Math.round(mean("business") * 10) / 10 }] } : undefined,
      }],
      graphic: emptyText(pts),
    });
    var hist = data.scores.history;
    make("chart-corr", {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 20, bottom: 30 },
      xAxis: { type: "category", data: hist.map(function (h) { return h.label; }) },
      yAxis: { type: "value", min: -1, max: 1, name: L.r },
      series: [{ name: L.r, type: "line", symbolSize: 9, data: hist.map(function (h) { return { value: h.r, url: h.url }; }),
        markLine: { silent: true, symbol: "none", data: [{ yAxis: 0 }] } }],
      graphic: emptyText(hist),
    });
  }

  if (data.history) {
    make("chart-history", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 30, bottom: 30 },
      xAxis: { type: "category", data: data.history.map(function (h) { return h.label; }) },
      yAxis: { type: "value", max: 100 },
      series: [
        { name: L.party, type: "line", data: data.history.map(function (h) { return { value: h.party, url: h.url }; }) },
        { name: L.business, type: "line", data: data.history.map(function (h) { return { value: h.business, url: h.url }; }) },
      ],
      graphic: emptyText(data.history),
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.hqCockpit = charts;
  if (screen) {
    var clock = document.getElementById("screen-clock");
    var tick = function () { if (clock) clock.textContent = new Date().toLocaleString("zh-CN", { hour12: false }); };
    tick();
    setInterval(tick, 1000);
    var seconds = parseInt(document.body.dataset.refresh, 10) || 300;
    setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
