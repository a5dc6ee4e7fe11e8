// The statistics page's charts (Chart.js, vendored: static/vendor/chartjs/). The tables beside
// them carry the same numbers for screen readers and for copying.
(function () {
  "use strict";
  var el = document.getElementById("stats-chart-data");
  if (!el || typeof Chart === "undefined") return;
  var d = JSON.parse(el.textContent);
  // Counts are whole numbers: integer ticks only (Chart.js 4 `ticks.precision`), from 0.
  var counts = { y: { beginAtZero: true, ticks: { precision: 0 } } };
  var noLegend = { scales: counts, plugins: { legend: { display: false } } };
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }
  draw("chart-stages", {
    type: "bar",
    data: { labels: d.stages.labels, datasets: [{ label: "案件数", data: d.stages.data, backgroundColor: "#3b6ea5" }] },
    options: noLegend,
  });
  draw("chart-months", {
    type: "line",
    data: {
      labels: d.months.labels,
      datasets: [
        { label: "登记", data: d.months.registered, borderColor: "#3b6ea5" },
        { label: "立案/受理", data: d.months.filed, borderColor: "#c07a1b" },
        { label: "结案", data: d.months.concluded, borderColor: "#2e7d4f" },
      ],
    },
    // A month not yet begun is null: no point drawn, the line stops at this month.
    options: { scales: counts },
  });
  draw("chart-ontime", {
    type: "bar",
    data: { labels: d.ontime.labels, datasets: [{ label: "按期完成率（%）", data: d.ontime.data, backgroundColor: "#2e7d4f" }] },
    options: { indexAxis: "y", scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } } },
  });
  draw("chart-scores", {
    type: "bar",
    data: { labels: d.scores.labels, datasets: [{ label: "案卷数", data: d.scores.data, backgroundColor: "#c07a1b" }] },
    options: noLegend,
  });
})();
