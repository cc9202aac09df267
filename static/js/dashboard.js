// Draws the dashboard's charts from the JSON the page carries (no inline script: CSP).
// The table beside each chart holds the same numbers for screen readers and for print.
"use strict";

(function () {
  // Tooltips drawn on the canvas, not as HTML with style attributes the CSP would refuse.
  const tooltip = { renderMode: "richText", confine: true };

  function barOption(spec) {
    const many = spec.categories.length > 8;
    return {
      tooltip: Object.assign({ trigger: "axis" }, tooltip),
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: many ? 96 : 40 },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { interval: 0, rotate: many ? 40 : 0 },
      },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data };
      }),
    };
  }

  function pieOption(spec) {
    const values = spec.series[0].data;
    return {
      tooltip: Object.assign({ trigger: "item" }, tooltip),
      legend: { top: 0, type: "scroll" },
      series: [
        {
          name: spec.series[0].name,
          type: "pie",
          radius: ["30%", "65%"],
          top: 30,
          data: spec.categories.map(function (name, i) {
            return { name: name, value: values[i] };
          }),
        },
      ],
    };
  }

  function draw() {
    const source = document.getElementById("dashboard-charts");
    if (!source || !window.echarts) {
      return;
    }
    const charts = JSON.parse(source.textContent).map(function (spec) {
      const element = document.getElementById(spec.id);
      if (!element) {
        return null;
      }
      const chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(spec.kind === "pie" ? pieOption(spec) : barOption(spec));
      return chart;
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) {
        if (chart) {
          chart.resize();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
