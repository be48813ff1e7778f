"""Settings of the benchmark server: the portal's own (onechoice.settings, production mode
when ONECHOICE_ENV=production, as benchmarks/run.py starts it) plus a bare view to compare
pages with. DEBUG is always off: a benchmark must not keep every query in memory."""

from onechoice.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
DEBUG = False
