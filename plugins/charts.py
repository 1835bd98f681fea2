"""Datasette plugin: the chart pages. /charts/ is the gallery of every chart and
/charts/NAME one chart alone, for an iframe; both are made from the list of charts
(build/site/charts.py, charts.yml) and link the chart library and scripts under hashed
URLs (plugins/assets.py), so a browser fetches each once a year at most, and a page
loads the library once. The former addresses (/static/charts/NAME.html, index.html)
redirect here."""

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from build.site import charts
from build.site.assets import hashed_url


def _static_url(datasette):
    return lambda relative: hashed_url(datasette, relative)


def _html(body):
    return Response.html(body, headers={"cache-control": "public, max-age=300"})


async def gallery(datasette):
    return _html(charts.gallery_page(_static_url(datasette)))


async def chart_page(datasette, request):
    name = request.url_vars["name"]
    if charts.chart(name) is None:
        raise NotFound(f"No chart called {name}")
    return _html(charts.chart_page(name, _static_url(datasette)))


async def moved(request):
    name = request.url_vars.get("name")
    target = "/charts/" if name in (None, "index") else f"/charts/{name}"
    return Response.redirect(target, status=301)


@hookimpl
def register_routes():
    return [
        (r"^/charts/$", gallery),
        (r"^/charts$", lambda: Response.redirect("/charts/", status=301)),
        (r"^/charts/(?P<name>[a-z0-9-]+)$", chart_page),
        (r"^/static/charts/(?P<name>[a-z0-9-]+)\.html$", moved),
    ]
