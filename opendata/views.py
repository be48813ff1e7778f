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
    """/opendata/: the datasets, their licence, formats, columns and update dates (the
    same dates the downloads send as Last-Modified)."""
    modified = selectors.last_modified(DATASETS.values())
    datasets = [(d, len(d.rows()), modified[d.slug]) for d in DATASETS.values()]
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
    if slug not in DATASETS or fmt not in FORMATS:
        return None  # answered 404 by the view, never 304
    parts = (data_version.release(), data_version.current(), slug, fmt)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _last_modified(request, slug, fmt):
    data = DATASETS.get(slug)
    return selectors.last_modified([data])[slug] if data is not None and fmt in FORMATS else None


def _absolute(request, rows):
    return [{**row, "url": request.build_absolute_uri(row["url"])} if row.get("url") else row for row in rows]


def _cell(column, value):
    if value is None:
        return ""  # an empty cell, quoted like text (a missing year or rank)
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


def _value(column, value):
    if not column.text or value is None:
        return value
    return [str(v) for v in value] if isinstance(value, list) else str(value)


def _json(dataset, rows) -> bytes:
    records = [{c.key: _value(c, row[c.key]) for c in dataset.columns} for row in rows]  # in the documented order
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


@condition(etag_func=_etag, last_modified_func=_last_modified)
def dataset(request, slug, fmt):
    """/opendata/<dataset>.csv|json — published records only, for everyone alike. The ETag
    follows the data version, Last-Modified the change history of the dataset's records
    (``selectors.last_modified``); Django's ``condition`` answers 304 to If-None-Match and,
    when the request has no If-None-Match, to If-Modified-Since (RFC 9110 §13.1.3)."""
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
