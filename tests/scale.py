"""Make the real records N times larger for query-count tests, with the synthetic generator
(``demo.synthetic``, which ``generate_synthetic`` runs for the benchmarks), written through the
apps' services like any other data: copies of every item (with its years, measures, results,
highlights, indicators, plans, WGs and sessions) and of the meeting the real records describe
in full (the FY R3 4th, with its agenda, handouts and 34 attendees). Unlike the benchmarks'
data, every copy stays in the real fiscal years, so that a page of one year (FY2021's items,
its meetings, its schedule) shows N times the rows."""

from demo import synthetic

SEED = 1


def multiply(factor: int, seed: int = SEED) -> synthetic.Report:
    """``factor`` × the items and WGs; one more full meeting per copy (13 + factor - 1)."""
    return synthetic.generate(factor, seed, full_meetings_only=True, same_years=True)
