"""A first benchmark (`make bench`): build time, output sizes, and Datasette latency
for every table page, served immutable as `make serve` does. Prints a table and
writes data/bench.json. Timings are measured here, never asserted in tests."""

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from build import schema
from build.assemble import assemble
from build.outputs import DATABASE_NAME, write_outputs
from build.seeds import read_seeds
from build.serve import datasette_app

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 30


def time_build(data_dir, runs=3):
    """Seconds for each of `runs` full builds (read, check, write, validate) into data_dir."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        write_outputs(assemble(read_seeds(ROOT / "seeds")), data_dir, ROOT / "metadata.yml")
        times.append(time.perf_counter() - start)
    return times


async def page_latencies(data_dir):
    """p50 and p95 milliseconds for each table page, HTML and JSON, with its facets."""
    datasette = datasette_app(data_dir)
    results = {}
    for res in schema.resources():
        for suffix in ("", ".json"):
            path = f"/provenance/{res['name']}{suffix}"
            await datasette.client.get(path)  # warm caches
            samples = []
            for _ in range(REQUESTS):
                start = time.perf_counter()
                response = await datasette.client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, path
            samples.sort()
            results[path] = {"p50_ms": statistics.median(samples), "p95_ms": samples[int(0.95 * len(samples)) - 1]}
    return results


def main():
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch)
        builds = time_build(data_dir)
        sizes = {p.name: p.stat().st_size for p in sorted(data_dir.iterdir())}
        pages = asyncio.run(page_latencies(data_dir))
    report = {"build_seconds": builds, "bytes": sizes, "pages": pages, "requests_per_page": REQUESTS}
    print(f"build: best {min(builds):.2f} s of {len(builds)}")
    print(f"database: {sizes[DATABASE_NAME]:,} bytes; CSVs: {sum(v for k, v in sizes.items() if k.endswith('.csv')):,} bytes")
    print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8}")
    for path, figures in pages.items():
        print(f"{path:<40} {figures['p50_ms']:>8.1f} {figures['p95_ms']:>8.1f}")
    out = ROOT / "data" / "bench.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
