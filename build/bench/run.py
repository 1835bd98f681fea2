"""The benchmark (`make bench`): for each corpus size, build time and memory, rebuild times
(the median of `--rebuilds` of each kind), output sizes, and the latency of every page as
published, untuned and as raw SQL. Prints a table and writes JSON. Timings are measured
here, never asserted in tests.

    provenance bench [--sizes 0,1000,10000] [--requests 30] [--budget 10] [--out FILE]
    provenance bench --quick      # a smoke run: the real seeds and 50 synthetic articles

Size 0 is the real corpus (the thirteen curated articles); size N adds N synthetic articles
from build.bench.synth. Everything is built and served from a temporary folder, removed afterwards.
Builds: build/bench/builds.py; serving: build/bench/serving.py."""

import datetime
import json
import os
import platform
import sqlite3
import tempfile
from pathlib import Path

import click
import datasette

from build import paths
from build.bench.builds import REBUILDS, bench_builds
from build.bench.serving import WARM_UP, bench_serving

DEFAULT_SIZES = "0,1000,10000"
QUICK = {"sizes": "0,50", "requests": 5, "budget": 2.0}
FULL = {"sizes": DEFAULT_SIZES, "requests": 30, "budget": 10.0}
# The targets, stated for 10,000 articles on the 2-core benchmark machine.
TARGET_ARTICLES_PER_SECOND = 500
TARGET_ONE_ARTICLE_SECONDS = 2
TARGET_P95_MS = {"json": 25, "html": 100}
TARGET_FACET_SPEEDUP = 5
LARGE_TABLE_ROWS = 10_000


def machine():
    """What the figures were measured on."""
    with open("/proc/meminfo") as meminfo:
        memory_kb = int(meminfo.readline().split()[1])
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "datasette": datasette.__version__,
    }


def bench_size(articles, requests, budget, warm_up=WARM_UP, rebuilds=REBUILDS):
    """Every figure for one corpus size (articles synthetic articles plus the real ones)."""
    with tempfile.TemporaryDirectory(prefix="provenance-bench-") as scratch:
        scratch = Path(scratch)
        click.echo(f"[{articles} synthetic articles] generating, building...", err=True)
        built = bench_builds(scratch / "seeds", scratch / "data", articles, rebuilds)
        click.echo(f"[{articles} synthetic articles] serving: published, then untuned...", err=True)
        served = bench_serving(scratch / "data", scratch, requests, budget, warm_up)
    # Other work on the machine shows in the latencies: the 1, 5 and 15 minute load averages, at the end.
    result = {**built, **served, "load_average": os.getloadavg()}
    result["targets"] = targets(result)
    return result


def table_of(path):
    """The table (or view) a table page's path shows: /provenance/claims.json -> claims."""
    return path.split("?")[0].rsplit("/", 1)[-1].removesuffix(".json")


def worst(pages, key):
    """The page with the largest key(page), or None when there are none."""
    return max(pages, key=key, default=None)


def targets(result):
    """Each of the issue's targets with this size's figure, and whether it is met."""
    pages = result["pages"]
    found = [
        {
            "target": f"build >= {TARGET_ARTICLES_PER_SECOND} articles/s",
            "value": result["articles_per_second"],
            "unit": "articles/s",
            "met": result["articles_per_second"] >= TARGET_ARTICLES_PER_SECOND,
        },
        {
            "target": f"one-article rebuild < {TARGET_ONE_ARTICLE_SECONDS} s",
            "value": result["one_article"]["seconds"],
            "unit": "s",
            "met": result["one_article"]["seconds"] < TARGET_ONE_ARTICLE_SECONDS,
        },
    ]
    for fmt, limit in TARGET_P95_MS.items():
        page = worst([p for p in pages if p["format"] == fmt], lambda p: p["published"]["p95_ms"])
        found.append(
            {
                "target": f"{fmt.upper()} p95 < {limit} ms",
                "value": page["published"]["p95_ms"],
                "unit": "ms",
                "met": page["published"]["p95_ms"] < limit,
                "worst_page": page["path"],
            }
        )
    # Indexes can only speed up facets over many rows: on a small table both instances spend
    # their time in Datasette, not SQLite. Views are left out: their facets run over the view's
    # whole join, which no index on a column of the view can serve.
    large = {name for name, count in result["rows"].items() if count >= LARGE_TABLE_ROWS}
    facet_pages = [p for p in pages if p["kind"] == "facet page" and table_of(p["path"]) in large]
    page = worst(facet_pages, lambda p: -p["ratios"]["untuned_over_published_p50"])
    if page is None:
        return found
    found.append(
        {
            "target": f"facet pages of tables of {LARGE_TABLE_ROWS:,}+ rows >= {TARGET_FACET_SPEEDUP}x faster than untuned (p50)",
            "value": page["ratios"]["untuned_over_published_p50"],
            "unit": "x",
            "met": page["ratios"]["untuned_over_published_p50"] >= TARGET_FACET_SPEEDUP,
            "worst_page": page["path"],
        }
    )
    return found


def megabytes(count):
    return f"{count / 1e6:,.1f} MB"


def pair(figures):
    """p50/p95 in milliseconds, as the table shows them."""
    return f"{figures['p50_ms']:.1f}/{figures['p95_ms']:.1f}"


def ratio_text(value):
    return "-" if value is None else f"{value:.1f}x"


def print_size(result):
    """One size's figures as a readable table."""
    cold, unchanged, one = result["cold"], result["unchanged"], result["one_article"]
    sizes = result["bytes"]
    click.echo(
        f"\n== {result['synthetic_articles']:,} synthetic articles ({result['articles']:,} in all) =="
    )
    click.echo(
        f"build: cold {cold['seconds']:.1f} s ({result['articles_per_second']:.0f} articles/s, peak memory "
        f"{cold['peak_rss_mb']:.0f} MB); again, nothing changed {unchanged['seconds']:.1f} s; "
        f"one article changed {one['seconds']:.1f} s (peak {one['peak_rss_mb']:.0f} MB)"
    )
    if len(one.get("runs", ())) > 1:  # a report written before rebuilds were repeated has none
        click.echo(
            f"rebuilds (median of {len(one['runs'])}): nothing changed "
            + ", ".join(f"{seconds:.1f}" for seconds in unchanged["runs"])
            + " s; one article changed "
            + ", ".join(f"{seconds:.1f}" for seconds in one["runs"])
            + " s"
        )
    click.echo(
        f"outputs: database {megabytes(sizes['database'])}, CSVs {megabytes(sizes['csv'])}, "
        f"other files {megabytes(sizes['other'])}; rows: "
        + ", ".join(f"{name} {count:,}" for name, count in result["rows"].items())
    )
    header = f"{'page':<56} {'fmt':<4} {'published p50/p95':>18} {'untuned p50/p95':>17} {'x untuned':>9} {'sqlite p50':>10} {'x sqlite':>8}  notes"
    click.echo(header)
    click.echo("-" * len(header))
    for page in result["pages"]:
        published, untuned, raw = page["published"], page["untuned"], page["published_sql"]
        notes = []
        for name in ("published", "untuned"):
            if page[name]["errors"]:
                notes.append(f"{name}: {page[name]['errors']} of {page[name]['n']} not 200")
            if page[name]["facets_timed_out"]:
                notes.append(
                    f"{name} facets timed out: {', '.join(page[name]['facets_timed_out'])}"
                )
        sqlite_p50 = f"{raw['p50_ms']:.1f}" if raw else "-"
        click.echo(
            f"{page['path'][:56]:<56} {page['format']:<4} {pair(published):>18} {pair(untuned):>17}"
            f" {ratio_text(page['ratios']['untuned_over_published_p50']):>9} {sqlite_p50:>10}"
            f" {ratio_text(page['ratios'].get('published_over_sqlite_p50')):>8}  {'; '.join(notes)}"
        )
    click.echo("targets (the issue states them for 10,000 articles):")
    for target in result["targets"]:
        where = f" (worst: {target['worst_page']})" if "worst_page" in target else ""
        click.echo(
            f"  {'met   ' if target['met'] else 'MISSED'} {target['target']}: {target['value']:,.1f} {target['unit']}{where}"
        )


@click.command()
@click.option(
    "--sizes",
    help=f"Comma-separated numbers of synthetic articles; 0 is the real corpus alone. [default: {DEFAULT_SIZES}]",
)
@click.option("--requests", type=int, help="Requests per page, once warmed up. [default: 30]")
@click.option(
    "--warm-up",
    type=click.IntRange(min=1),
    default=WARM_UP,
    show_default=True,
    help="Requests that warm each page up before it is timed (the first is reported as its first answer).",
)
@click.option(
    "--budget", type=float, help="Seconds at most per page, once 3 requests are in. [default: 10]"
)
@click.option(
    "--rebuilds",
    type=click.IntRange(min=1),
    default=REBUILDS,
    show_default=True,
    help="Rebuilds timed of each kind (nothing changed, one article changed); the median is reported.",
)
@click.option(
    "--quick",
    is_flag=True,
    help="A smoke run: sizes 0,50, 5 requests, 2 s per page (unless given).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=paths.DATA / "bench.json",
    show_default=True,
    help="Where to write the JSON.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Print the tables of a JSON written before, and measure nothing.",
)
def main(sizes, requests, warm_up, rebuilds, budget, quick, out, report):
    """Benchmark the build and the site at each corpus size; print a table and write JSON."""
    if report:
        for result in json.loads(report.read_text(encoding="utf-8"))["sizes"]:
            result["targets"] = targets(result)  # as this version states them
            print_size(result)
        return
    defaults = QUICK if quick else FULL
    sizes = [int(size) for size in (sizes or defaults["sizes"]).split(",")]
    requests = requests or defaults["requests"]
    budget = budget or defaults["budget"]
    report = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "requests_per_page": requests,
        "warm_up_requests": warm_up,
        "rebuilds_timed": rebuilds,
        "seconds_per_page_at_most": budget,
        "sizes": [],
    }
    for articles in sizes:
        report["sizes"].append(bench_size(articles, requests, budget, warm_up, rebuilds))
        print_size(report["sizes"][-1])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            json.dumps(report, indent=2) + "\n", encoding="utf-8"
        )  # after each size: a long run keeps what it has
    click.echo(f"\nwrote {out}")


if __name__ == "__main__":
    main()
