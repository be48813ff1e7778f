import csv
import hashlib
import io
import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import condition

from onechoice import data_version
from onechoice.page_cache import cached_page

from . import selectors
from .selectors import DATASETS, SEPARATOR

FORMATS = ("csv", "json")


@cached_page
def index(request):
    """/opendata/: the datasets, their licence, formats and columns."""
    datasets = [(d, len(d.rows())) for d in DATASETS.values()]
    return render(
        request,
        "opendata/index.html",
        {
            "datasets": datasets,
            "licence": selectors.LICENCE,
            "licence_url": selectors.LICENCE_URL,
            "attribution": selectors.ATTRIBUTION,
        },
    )


def _etag(request, slug, fmt):
    parts = (data_version.release(), data_version.current(), slug, fmt)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _absolute(request, rows):
    return [{**row, "url": request.build_absolute_uri(row["url"])} if row.get("url") else row for row in rows]


def _cell(column, value):
    if isinstance(value, list):
        return SEPARATOR.join(str(v) for v in value)
    if column.text:
        return str(value)
    return value  # numbers stay numbers (unquoted); everything else is a quoted string


def _csv(dataset, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([c.label for c in dataset.columns])
    for row in rows:
        writer.writerow([_cell(c, row[c.key]) for c in dataset.columns])
    return "\ufeff".encode() + out.getvalue().encode()


def _json(dataset, rows) -> bytes:
    text_keys = {c.key for c in dataset.columns if c.text}
    records = [
        {k: (([str(x) for x in v] if isinstance(v, list) else str(v)) if k in text_keys else v) for k, v in row.items()}
        for row in rows
    ]
    document = {
        "dataset": dataset.slug,
        "title": dataset.title,
        "license": selectors.LICENCE,
        "license_url": selectors.LICENCE_URL,
        "attribution": selectors.ATTRIBUTION,
        "columns": [{"key": c.key, "label": c.label, "description": c.description} for c in dataset.columns],
        "records": records,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


@condition(etag_func=_etag)
def dataset(request, slug, fmt):
    """/opendata/<dataset>.csv|json — published records only, for everyone alike; the ETag
    follows the data version, so an unchanged dataset answers 304 to If-None-Match."""
    data = DATASETS.get(slug)
    if data is None or fmt not in FORMATS:
        raise Http404
    rows = _absolute(request, data.rows())
    if fmt == "csv":
        response = HttpResponse(_csv(data, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(_json(data, rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="onetoyama-{slug}.{fmt}"'
    return response
