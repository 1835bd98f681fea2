/* Iframes that take the height of the chart they show.
 *
 * In a chart page (/charts/NAME) shown in an iframe, this script tells the page around it
 * the page's height, whenever it changes: postMessage({provenanceChartHeight: px}).
 * In the page around it (paste it once, after the iframes:
 *   <script src="https://INSTANCE/static/charts/frame.js" async></script>)
 * it sets each iframe that sends such a message to that height. A message sets only the
 * height of the iframe it comes from, and only to a number of pixels within bounds.
 */
(function () {
  "use strict";
  if (window.provenanceFrames) {
    return;
  }
  window.provenanceFrames = true;
  var MIN = 60;
  var MAX = 20000;

  if (window.parent !== window) {
    var last = 0;
    var report = function () {
      var height = Math.ceil(document.body ? document.body.getBoundingClientRect().height : 0);
      if (height && height !== last) {
        last = height;
        window.parent.postMessage({ provenanceChartHeight: height }, "*");
      }
    };
    var watch = function () {
      report();
      if (window.ResizeObserver) {
        new ResizeObserver(report).observe(document.body);
      }
      document.addEventListener("provenance-chart", report);
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", watch);
    } else {
      watch();
    }
  }

  window.addEventListener("message", function (event) {
    var height = event.data && event.data.provenanceChartHeight;
    if (typeof height !== "number" || !isFinite(height)) {
      return;
    }
    height = Math.max(MIN, Math.min(MAX, Math.ceil(height)));
    Array.prototype.forEach.call(document.getElementsByTagName("iframe"), function (frame) {
      if (frame.contentWindow === event.source) {
        frame.style.height = height + "px";
        frame.setAttribute("data-chart-height", String(height));
      }
    });
  });
})();
