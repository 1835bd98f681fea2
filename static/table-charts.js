// Charts of a table's or a query's rows, with datasette-vega, loaded only when asked for.
// plugins/assets.py takes datasette-vega's script (923 KB) and stylesheet off every page
// and puts on table and query pages this script and window.provenanceTableCharts
// ({js: [...], css: [...]}, their URLs). A "Chart these rows" button loads them; an
// address with a chart in it (#g.mark=bar&...) loads them at once.
(function () {
  "use strict";
  var files = null; // read when the page is ready: the page sets it at the end of its body
  var loading = null;

  function load() {
    if (loading) {
      return loading;
    }
    files.css.forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      document.head.appendChild(link);
    });
    // datasette-vega starts on DOMContentLoaded, which has passed by now: a listener for
    // it added while its script runs is called at once instead (nothing else adds one
    // then, and one added after the event would never run anyway).
    var add = document.addEventListener;
    document.addEventListener = function (type, listener, options) {
      if (type === "DOMContentLoaded") {
        setTimeout(function () { listener.call(document, new Event("DOMContentLoaded")); });
        return undefined;
      }
      return add.call(document, type, listener, options);
    };
    loading = Promise.all(files.js.map(function (src) {
      return new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("could not load " + src)); };
        document.head.appendChild(script);
      });
    })).finally(function () {
      document.addEventListener = add;
    });
    return loading;
  }

  function whenShown(callback) {
    // datasette-vega draws its "Show charting options" button after its listener runs.
    var tries = 0;
    (function look() {
      var button = Array.prototype.find.call(document.querySelectorAll(".datasette-vega-inactive button"), Boolean);
      if (button || tries++ > 100) {
        callback(button);
      } else {
        setTimeout(look, 20);
      }
    })();
  }

  function start() {
    files = window.provenanceTableCharts;
    var table = document.querySelector("table.rows-and-columns");
    if (!files || !files.js.length || !table || !document.querySelector(".export-links a[href*=json]")) {
      return;
    }
    if (/^#g\./.test(location.hash)) {
      load();
      return;
    }
    var holder = document.createElement("p");
    holder.className = "table-charts";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Chart these rows";
    button.addEventListener("click", function () {
      button.disabled = true;
      button.textContent = "Loading the charting tool\u2026";
      load().then(function () {
        whenShown(function (shown) {
          holder.remove();
          if (shown) {
            shown.click();
          }
        });
      }, function (error) {
        button.textContent = "The charting tool could not be loaded (" + error.message + ")";
      });
    });
    holder.appendChild(button);
    table.parentNode.insertBefore(holder, table);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
