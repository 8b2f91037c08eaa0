"""The benchmark: colorgan against a re-implementation of the blog post's approach.

Run it from the repository root with `python -m bench.bench` (or `make bench`); see
bench/README.md.
"""
