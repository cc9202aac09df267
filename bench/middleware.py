"""Counts the queries of each request into an `X-Queries` header; on request (header
`X-Bench-Capture: <name>`) also writes their SQL and parameters to <name>.json in
$BENCH_CAPTURE_DIR, for EXPLAIN."""

import json
import os
import re
from pathlib import Path

from django.db import connection

SAFE_NAME = re.compile(r"[a-z0-9_-]{1,60}")


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        captured = []

        def record(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = self.get_response(request)
            # A streamed body runs its queries later; the bench pages are not streamed.
        response["X-Queries"] = str(len(captured))
        name = request.headers.get("X-Bench-Capture", "")
        folder = os.environ.get("BENCH_CAPTURE_DIR")
        if folder and SAFE_NAME.fullmatch(name):
            with open(Path(folder) / f"{name}.json", "w", encoding="utf-8") as f:
                json.dump([{"sql": s, "params": _plain(p)} for s, p in captured], f, default=str)
        return response


def _plain(params):
    if params is None:
        return None
    if isinstance(params, dict):
        return {k: _value(v) for k, v in params.items()}
    return [_value(v) for v in params]


def _value(v):
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    return str(v)
