"""`python -m build.bench`: the benchmark (build/bench/run.py)."""

from build.bench.run import main

main()
