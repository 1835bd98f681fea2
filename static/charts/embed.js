/* Embed this dataset's charts in any page, on any origin.
 *
 * Each chart is a Vega-Lite spec served by the Datasette instance
 * (/static/charts/NAME.vl.json) whose data.url is the instance's JSON API, written
 * relative to the instance ("/provenance/chart_NAME.json?_shape=array", the canned query
 * chart_NAME). This script
 * fetches a spec, rewrites every data.url to an absolute URL on the instance the spec
 * came from (so the data is fetched from there, not from the embedding page's origin),
 * and renders it with Vega-Embed. Vega, Vega-Lite and Vega-Embed come from the same
 * instance (/static/vendor/vega-embed.js, loaded if the page has not loaded it), never
 * from any other Vega the page may have, so the specs get the versions they are for.
 *
 * Markup (rendered when the page is ready):
 *   <div data-vl-spec="https://INSTANCE/static/charts/timeline.vl.json"></div>
 *   <script src="https://INSTANCE/static/charts/embed.js" async></script>
 * Optional attributes: data-vl-source="off" leaves out the line crediting the data.
 *
 * Script:
 *   ProvenanceCharts.embed(elementOrSelector, specUrl, vegaEmbedOptions)
 *     -> Promise of vegaEmbed's result ({view, spec, ...})
 *
 * The element gets data-chart-state="loading", then "rendered" or "error", and fires a
 * "provenance-chart" event ({detail: {state, view, error}}) when done.
 */
(function () {
  "use strict";

  if (window.ProvenanceCharts) {
    // Loaded twice (two embeds on one page): render whatever is new and stop.
    window.ProvenanceCharts.scan();
    return;
  }

  var script = document.currentScript;
  var scriptUrl = script && script.src ? script.src : new URL("/static/charts/embed.js", document.baseURI).href;
  var bundleUrl = new URL("../vendor/vega-embed.js", scriptUrl).href;
  var charts = [];
  var vegaLoading = null;

  function loadVega() {
    if (window.provenanceVegaEmbed) {
      return Promise.resolve(window.provenanceVegaEmbed);
    }
    if (!vegaLoading) {
      vegaLoading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = bundleUrl;
        tag.onload = function () {
          if (window.provenanceVegaEmbed) {
            resolve(window.provenanceVegaEmbed);
          } else {
            reject(new Error(bundleUrl + " did not define provenanceVegaEmbed"));
          }
        };
        tag.onerror = function () {
          reject(new Error("could not load " + bundleUrl));
        };
        document.head.appendChild(tag);
      });
    }
    return vegaLoading;
  }

  // Every {"data": {"url": ...}} in the spec, at any depth (layers, concats, lookups),
  // made absolute against the spec's own URL, i.e. on the instance that serves it.
  function absoluteDataUrls(node, base) {
    if (Array.isArray(node)) {
      node.forEach(function (item) { absoluteDataUrls(item, base); });
    } else if (node && typeof node === "object") {
      Object.keys(node).forEach(function (key) {
        var value = node[key];
        if (key === "data" && value && typeof value.url === "string") {
          value.url = new URL(value.url, base).href;
        }
        absoluteDataUrls(value, base);
      });
    }
    return node;
  }

  function fetchSpec(specUrl) {
    return fetch(specUrl, { mode: "cors", credentials: "omit" }).then(function (response) {
      if (!response.ok) {
        throw new Error(specUrl + ": HTTP " + response.status);
      }
      return response.json();
    });
  }

  // The Datasette page for a JSON API data URL: /db/query.json?_shape=array -> /db/query
  function queryPage(dataUrl) {
    var url = new URL(dataUrl);
    url.pathname = url.pathname.replace(/\.json$/, "");
    url.searchParams.delete("_shape");
    return url.href;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.target = "_blank";
    a.rel = "noopener";
    a.style.color = "inherit";
    return a;
  }

  function sourceLine(spec, specUrl) {
    var line = document.createElement("p");
    line.className = "provenance-chart-source";
    line.style.cssText = "margin:4px 0 0;font:12px/1.4 Helvetica,Arial,sans-serif;color:#555;";
    line.appendChild(document.createTextNode("Data: "));
    if (spec.data && spec.data.url) {
      line.appendChild(link(queryPage(spec.data.url), "the query"));
      line.appendChild(document.createTextNode(" on "));
    }
    line.appendChild(link(new URL("/", specUrl).href, "Bukhari in Israel? Claims traced to their sources"));
    line.appendChild(document.createTextNode(" (CC BY 4.0) \u00b7 "));
    line.appendChild(link(specUrl, "Vega-Lite spec"));
    return line;
  }

  function settle(element, state, detail) {
    element.setAttribute("data-chart-state", state);
    detail.state = state;
    element.dispatchEvent(new CustomEvent("provenance-chart", { detail: detail, bubbles: true }));
  }

  function embed(target, specUrl, options) {
    var element = typeof target === "string" ? document.querySelector(target) : target;
    if (!element) {
      return Promise.reject(new Error("no element " + target));
    }
    var absoluteSpecUrl = new URL(specUrl, document.baseURI).href;
    var showSource = element.getAttribute("data-vl-source") !== "off";
    element.setAttribute("data-chart-state", "loading");
    var chart = document.createElement("div");
    element.textContent = "";
    element.appendChild(chart);
    var spec;
    return Promise.all([fetchSpec(absoluteSpecUrl), loadVega()]).then(function (loaded) {
      spec = absoluteDataUrls(loaded[0], absoluteSpecUrl);
      if (spec.width === "container") {
        chart.style.width = "100%";
      }
      var settings = Object.assign({
        renderer: "svg",
        actions: { export: true, source: true, compiled: false, editor: false },
        // Links in a chart (href) are paths on the instance; open them there, in a new tab.
        loader: { baseURL: new URL("/", absoluteSpecUrl).href, target: "_blank" }
      }, options || {});
      return loaded[1](chart, spec, settings);
    }).then(function (result) {
      if (showSource) {
        element.appendChild(sourceLine(spec, absoluteSpecUrl));
      }
      charts.push({ element: element, specUrl: absoluteSpecUrl, view: result.view });
      settle(element, "rendered", { view: result.view });
      return result;
    }, function (error) {
      element.textContent = "The chart could not be loaded (" + error.message + ").";
      settle(element, "error", { error: error });
      throw error;
    });
  }

  function scan() {
    var pending = document.querySelectorAll("[data-vl-spec]:not([data-chart-state])");
    Array.prototype.forEach.call(pending, function (element) {
      embed(element, element.getAttribute("data-vl-spec")).catch(function (error) {
        console.error("Chart " + element.getAttribute("data-vl-spec") + ": " + error.message);
      });
    });
  }

  window.ProvenanceCharts = { embed: embed, scan: scan, charts: charts, absoluteDataUrls: absoluteDataUrls };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
