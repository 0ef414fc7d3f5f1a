// Every chart of the portal, drawn by chart.js (npm, served from this site through whitenoise; no
// CDN). Each <canvas data-chart="ID"> is drawn from the JSON block <script id="ID"
// type="application/json"> its page writes with json_script: the figures, colours and axes come
// from portal/charts.py, so this file holds no rules. A separate file because the Content
// Security Policy forbids inline scripts. Without JavaScript the table beside each chart holds
// every figure.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var TEXT = "#212b32"; // nhsuk-frontend text colour

  function toDataset(spec) {
    var dataset = {
      type: spec.type || undefined,
      label: spec.label,
      data: spec.data,
      borderColor: spec.colour,
      backgroundColor: spec.colour,
      borderDash: spec.dash || [],
      pointRadius: spec.point_radius === undefined ? 3 : spec.point_radius,
      pointHoverRadius: spec.point_radius === 0 ? 0 : 6,
      showLine: spec.show_line === undefined ? true : spec.show_line,
      spanGaps: true,
      fill: false,
      borderWidth: 2,
    };
    if (spec.point_colours) {
      dataset.pointBackgroundColor = spec.point_colours;
      dataset.pointBorderColor = "#425563"; // a dark edge, so a light point keeps 3:1 contrast
      dataset.pointBorderWidth = 1;
      // The legend key takes the first point's look: the data series shows as a grey dot.
      dataset.backgroundColor = spec.point_colours[0] || spec.colour;
    }
    if (spec.point_shapes) {
      dataset.pointStyle = spec.point_shapes;
    }
    dataset.hiddenFromLegend = spec.legend === false;
    return dataset;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var suffix = spec.y_suffix || "";
    var y = {
      title: { display: true, text: spec.y_title, color: TEXT },
      ticks: { color: TEXT, callback: function (value) { return value + suffix; } },
      beginAtZero: spec.y_min === 0,
    };
    if (spec.y_whole_numbers) { y.ticks.precision = 0; }
    if (spec.y_min !== null && spec.y_min !== undefined) { y.min = spec.y_min; }
    if (spec.y_max !== null && spec.y_max !== undefined) { y.max = spec.y_max; }
    new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: spec.datasets.map(toDataset) },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: window.innerWidth < 500 ? 1.2 : 2,
        animation: false,
        scales: {
          x: { title: { display: true, text: spec.x_title, color: TEXT }, ticks: { color: TEXT } },
          y: y,
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              color: TEXT,
              usePointStyle: true,
              filter: function (item, data) { return !data.datasets[item.datasetIndex].hiddenFromLegend; },
            },
          },
          tooltip: {
            callbacks: {
              label: function (context) {
                if (context.parsed.y === null) { return null; }
                return context.dataset.label + ": " + context.parsed.y + suffix;
              },
            },
          },
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
