// The performance page's charts (templates/waiting_times/performance.html), drawn by chart.js,
// served from this site (node_modules/chart.js through whitenoise; no CDN). The figures come from
// the page's JSON block, the same figures as the table beside the charts. A separate file because
// the Content Security Policy forbids inline scripts.
(function () {
  "use strict";
  var source = document.getElementById("performance-data");
  if (!source || typeof window.Chart === "undefined") {
    return; // no script or no chart.js: the table holds every figure
  }
  var data = JSON.parse(source.textContent);
  var BAR = "#005eb8"; // NHS blue
  var TARGET = "#d5281b"; // NHS red

  data.standards.forEach(function (standard) {
    var canvas = document.getElementById("chart-" + standard.key);
    if (!canvas) {
      return;
    }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.months,
        datasets: [
          {
            type: "bar",
            label: "Per cent in time",
            data: standard.percent,
            backgroundColor: BAR,
          },
          {
            type: "line",
            label: "Standard (" + standard.threshold + "%)",
            data: data.months.map(function () { return standard.threshold; }),
            borderColor: TARGET,
            borderDash: [6, 4],
            pointRadius: 0,
            fill: false,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: { min: 0, max: 100, ticks: { callback: function (value) { return value + "%"; } } },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  });
})();
