"""Benchmarks (not tests: timings depend on the machine). `python -m benchmarks.run` measures
pages, PDFs and a meeting-day burst under gunicorn at 1×, 10× and 100× the real records;
`benchmarks/import_bench.py` times large imports through the admin."""
