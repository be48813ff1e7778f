"""Structured logs: one JSON object per line, for the production log pipeline (settings.LOGGING).

Every record written while a request is being answered carries that request's id
(``request_id``, set by ``onechoice.middleware.RequestLogMiddleware``), so the traceback of a
500 can be found from the request line, and from the id the proxy put in X-Request-ID.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("onechoice_request_id", default=None)

# Extra fields a record may carry (logger.info(..., extra={...})), written as they are.
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id", "client_ip")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if "request_id" not in entry and (request_id := current_request_id.get()):
            entry["request_id"] = request_id
        if "status" not in entry and isinstance(getattr(record, "status_code", None), int):
            entry["status"] = record.status_code  # django.request's records
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
