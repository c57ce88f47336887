"""The benchmark (issue 6): province-scale synthetic data, key pages and jobs timed through the
real WSGI app, each page compared with its floor (its own SQL run directly + a bare template).

Run `make bench BENCH_ARGS="--scale province"`; see bench/README.md.
"""
