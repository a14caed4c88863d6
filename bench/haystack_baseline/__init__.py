"""haystack's default search page, served beside the archive only for benchmarks.

The load test (`bench/load_test.py --baseline`) serves this with gunicorn against an index
written by `bench.bench_search.default_haystack_build` from the archive's own section
documents, and sends it the same searches as the archive's search page: the ratio of the two
is the baseline `make bench` prints. Nothing in the archive imports this package, so the app
does not grow a second search page.
"""
