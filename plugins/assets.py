"""Datasette plugin: light pages. Static files are cached, under hashed URLs, and a page
loads a charting script only when it draws a chart.

- The site's own files (the `static` mount, static/ in the repository) are served by
  servestatic (a maintained static file server for ASGI): ETag and Last-Modified with 304
  answers, HEAD and Range, content types, CORS. Each file is served twice: at its plain
  URL (/static/charts/embed.js, the address pasted into other sites) with
  `Cache-Control: public, max-age=300`, and at a hashed URL (/static/charts/embed.<md5:12>.js,
  servestatic's own naming) with `public, max-age=31536000, immutable`. A hashed URL
  names one version of a file: a new build that changes the file gives it a new URL. The
  server works the hashes out once, when it starts (restart it after a build, as for the
  database). Pages link the hashed URLs: templates through `static_url("site.js")`, the
  chart pages and the chart gallery (plugins/charts.py) through `hashed_url(...)`.
- Datasette's own files: /-/static/app.css?HASH (Datasette hashes it) and a plugin's
  files whose names carry a hash (datasette-vega's main.08f5d3d8.js) are cached for a
  year; other /-/static/ and /-/static-plugins/ files for five minutes, as is any page
  that Datasette sends without a lifetime (the home page; Datasette's own pages say
  max-age=300 already, default_cache_ttl in build/serve.py).
- datasette-vega (charts of any table or query) adds a 923 KB script and its stylesheet to
  every page. Here they are taken off every page, and table and query pages get a small
  script instead (static/table-charts.js) that loads them when the visitor asks for a
  chart ("Chart these rows"), or at once when the address carries a chart (`#g.`).
"""

import functools
import json
import os

from datasette import hookimpl

from build.site.assets import assets, hashed_url
from build.site.headers import with_header

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
# The plugin whose assets wait until a page charts, and the pages that may chart.
DATASETTE_VEGA = "/-/static-plugins/datasette_vega/"
CHARTING_TEMPLATES = ("table", "query")  # table.html, query.html and their -DATABASE variants


def charting(template):
    return bool(template) and template.split("-")[0].split(".")[0] in CHARTING_TEMPLATES


def datasette_cache_control(path, query_string):
    """Cache-Control for Datasette's own static files and plugins' files, or None."""
    if path.startswith("/-/static/"):
        return IMMUTABLE if query_string else SHORT
    if path.startswith("/-/static-plugins/"):
        stem = path.rsplit("/", 1)[-1].split(".")
        named_by_hash = (
            len(stem) >= 3 and len(stem[-2]) >= 8 and all(c in "0123456789abcdef" for c in stem[-2])
        )
        return IMMUTABLE if named_by_hash else SHORT
    return None


@hookimpl(
    tryfirst=True
)  # the innermost wrapper: compression, CORS and the rest wrap what it serves
def asgi_wrapper(datasette):
    def wrap(app):
        async def cache_datasette_files(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            control = datasette_cache_control(scope["path"], scope.get("query_string"))

            async def send_with_cache_control(event):
                if event["type"] == "http.response.start" and event["status"] == 200:
                    headers = event.get("headers", [])
                    if control:
                        event = with_header(event, b"cache-control", control.encode())
                    elif not any(k.lower() == b"cache-control" for k, v in headers):
                        # Pages Datasette gives no lifetime (the home page, plugins' pages).
                        event = with_header(event, b"cache-control", SHORT.encode())
                await send(event)

            return await app(scope, receive, send_with_cache_control)

        found = assets(datasette)
        return found.serve(cache_datasette_files) if found else cache_datasette_files

    return wrap


@hookimpl
def extra_template_vars(datasette):
    return {"static_url": lambda relative: hashed_url(datasette, relative)}


def _flatten(results):
    return [url for result in results if isinstance(result, list) for url in result]


def _without_vega(outcome):
    """Take datasette-vega's URLs out of a list of extra_js_urls / extra_css_urls results."""
    results = outcome.get_result()
    kept = []
    for result in results:
        if isinstance(result, list):
            result = [
                u for u in result if not (isinstance(u, str) and u.startswith(DATASETTE_VEGA))
            ]
        kept.append(result)
    outcome.force_result(kept)
    return [u for u in _flatten(results) if isinstance(u, str) and u.startswith(DATASETTE_VEGA)]


@hookimpl(hookwrapper=True)
def extra_js_urls(template, datasette):
    outcome = yield
    _without_vega(outcome)


@hookimpl(hookwrapper=True)
def extra_css_urls(template, datasette):
    outcome = yield
    _without_vega(outcome)


@hookimpl(specname="extra_css_urls")
def site_stylesheets(datasette):
    return [hashed_url(datasette, "pages.css")]


@hookimpl(specname="extra_js_urls")
def site_scripts(template, datasette):
    urls = [hashed_url(datasette, "site.js")]
    if charting(template):
        urls.append({"url": hashed_url(datasette, "table-charts.js"), "module": False})
    return urls


@hookimpl
def extra_body_script(template, datasette):
    """On table and query pages: where datasette-vega's files are, for static/table-charts.js."""
    if not charting(template):
        return None
    return "window.provenanceTableCharts = " + json.dumps(_datasette_vega_files()) + ";"


@functools.cache
def _datasette_vega_files():
    """{"js": [...], "css": [...]}: the URLs of datasette-vega's script and stylesheet."""
    from datasette.plugins import get_plugins

    files = {"js": [], "css": []}
    for plugin in get_plugins():
        if plugin["name"].replace("-", "_") == "datasette_vega" and plugin["static_path"]:
            for name in sorted(os.listdir(plugin["static_path"])):
                kind = name.rsplit(".", 1)[-1]
                if kind in files:
                    files[kind].append(DATASETTE_VEGA + name)
    return files
