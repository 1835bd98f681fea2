"""The benchmark (builds and serving) and its synthetic corpus."""
