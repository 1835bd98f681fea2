"""The site's charts: the list (charts.yml beside this file) and the pages made from it,
each chart's own page (/charts/NAME, for iframes) and the gallery (/charts/), which
plugins/charts.py serves.

Each chart is a Vega-Lite spec, static/charts/NAME.vl.json, whose data.url is the JSON of
the canned query chart_NAME (metadata.yml). The pages load Vega, Vega-Lite and Vega-Embed
(static/vendor/vega-embed.js, build/site/vendor.py) once, under a hashed URL, then
static/charts/embed.js draws every chart on the page; static/charts/frame.js makes a chart
page in an iframe tell the page around it its height, and that page's iframe take it.
"""

from functools import cache
from html import escape
from pathlib import Path

import yaml

CHARTS_FILE = Path(__file__).resolve().parent / "charts.yml"
SITE_TITLE = "Bukhari in Israel? Claims traced to their sources"
DATABASE = "provenance"
# The scripts a chart page loads, in order (paths under static/).
SCRIPTS = ("vendor/vega-embed.js", "charts/embed.js", "charts/frame.js")


@cache
def charts():
    """[{name, title, description, height}, ...] in the gallery's order."""
    return yaml.safe_load(CHARTS_FILE.read_text(encoding="utf-8"))


def chart(name):
    return next((c for c in charts() if c["name"] == name), None)


def spec_path(name):
    return f"/static/charts/{name}.vl.json"


def query_name(name):
    return f"chart_{name}"


def data_url(name):
    """The data.url every spec must have: its canned query's rows, as JSON objects."""
    return f"/{DATABASE}/{query_name(name)}.json?_shape=array"


def _head(title, description, static_url):
    scripts = "".join(f'<script src="{escape(static_url(path))}"></script>\n' for path in SCRIPTS)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} · {escape(SITE_TITLE)}</title>\n"
        f'<meta name="description" content="{escape(description)}">\n'
        '<link rel="icon" href="data:,">\n'
        f'<link rel="stylesheet" href="{escape(static_url("charts/chart.css"))}">\n'
        f"{scripts}</head>\n"
    )


def chart_page(name, static_url):
    """The HTML of /charts/NAME: the chart alone, full width, for an iframe."""
    entry = chart(name)
    return (
        _head(entry["title"], entry["description"], static_url) + '<body class="chart-page">\n'
        f'<div class="chart" data-vl-spec="{escape(spec_path(name))}"></div>\n'
        f'<noscript>This chart needs JavaScript. Its data: <a href="{escape(data_url(name).replace(".json?_shape=array", ""))}">'
        "the query behind it</a>.</noscript>\n</body>\n</html>\n"
    )


def iframe_snippet(entry, origin="https://YOUR-INSTANCE"):
    return (
        f'<iframe src="{origin}/charts/{entry["name"]}" title="{escape(entry["title"])}" width="100%" '
        f'height="{entry["height"]}" style="border:0" loading="lazy"></iframe>\n'
        f'<script src="{origin}/static/charts/frame.js" async></script>'
    )


def script_snippet(entry, origin="https://YOUR-INSTANCE"):
    return (
        f'<div data-vl-spec="{origin}{spec_path(entry["name"])}"></div>\n'
        f'<script src="{origin}/static/charts/embed.js" async></script>'
    )


def gallery_page(static_url):
    """The HTML of /charts/: every chart, drawn in the page (the chart library is loaded
    once), with its links and its two embed snippets."""
    sections = []
    for entry in charts():
        name = escape(entry["name"])
        query = f"/{DATABASE}/{query_name(entry['name'])}"
        sections.append(
            f'<section class="chart-entry" id="{name}">\n'
            f"<h2>{escape(entry['title'])}</h2>\n"
            f"<p>{escape(entry['description'])}</p>\n"
            f'<p class="links"><a href="/charts/{name}">Chart page</a> · <a href="{spec_path(name)}">Vega-Lite spec</a>'
            f' · <a href="{query}">its data (SQL)</a></p>\n'
            f'<div class="chart" data-vl-spec="{spec_path(name)}" data-vl-source="off"></div>\n'
            '<details class="embed-snippets"><summary>Embed it</summary>\n'
            "<h3>With an iframe (it takes the chart's height)</h3>\n"
            f'<pre><code class="snippet">{escape(iframe_snippet(entry))}</code></pre>\n'
            "<h3>With the script (the chart drawn in your page)</h3>\n"
            f'<pre><code class="snippet">{escape(script_snippet(entry))}</code></pre>\n'
            "</details>\n</section>\n"
        )
    intro = (
        f'<p class="site"><a href="/">{escape(SITE_TITLE)}</a></p>\n<h1>Charts</h1>\n'
        "<p>Charts of the dataset, drawn with Vega-Lite from this site's JSON API, so they follow the data. "
        "Each has a page of its own, to show in an iframe, and a Vega-Lite spec whose <code>data.url</code> is "
        "the canned query behind it. Every script they need is served by this site.</p>\n"
        "<p>To put a chart on another site, paste one of its snippets: the iframe one (with its small script, "
        "the frame takes the chart's height) or the script one, which draws the chart in your page, full width; "
        "several on one page are fine. From your own code, "
        "<code>ProvenanceCharts.embed(element, specUrl, vegaEmbedOptions)</code> returns a promise of Vega-Embed's "
        "result.</p>\n"
    )
    fill = (
        "<script>\n  // The snippets, with this site's own address.\n"
        '  document.querySelectorAll("code.snippet").forEach(function (code) {\n'
        '    code.textContent = code.textContent.split("https://YOUR-INSTANCE").join(location.origin);\n'
        "  });\n</script>\n"
    )
    description = (
        "Charts of the dataset, to embed: " + ", ".join(c["title"].lower() for c in charts()) + "."
    )
    return (
        _head("Charts", description, static_url)
        + '<body class="gallery">\n'
        + intro
        + "".join(sections)
        + fill
        + "</body>\n</html>\n"
    )
