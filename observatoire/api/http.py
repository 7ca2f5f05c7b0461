"""What every API answer shares: problem documents, cursors, sparse fields, CSV, validators.

Errors follow RFC 9457 (`application/problem+json`). Lists are paged by an opaque cursor (the
last primary key seen, base64): unlike page numbers it stays right while entries are added,
and each page is an index range scan. `fields=a,b` keeps only those keys; `format=csv` gives
the same records as CSV (lists joined by ";", objects as JSON).
"""

import base64
import binascii
import csv
import datetime
import io
import json
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils.http import http_date

from observatoire.lib.formulas import neutralise

PROBLEM_TYPE = "application/problem+json"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class ApiError(Exception):
    """A request the API refuses, said once, in the problem format."""

    def __init__(self, status: int, title: str, detail: str = "", **extra):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def problem(status: int, title: str, detail: str = "", **extra) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, **extra}
    if detail:
        body["detail"] = detail
    return JsonResponse(body, status=status, content_type=PROBLEM_TYPE)


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"after:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, pk = text.split(":", 1)
        if prefix != "after":
            raise ValueError(prefix)
        return int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ApiError(
            400,
            "Curseur invalide",
            "Le paramètre « cursor » doit être la valeur « next_cursor » d'une page précédente.",
            parameter="cursor",
        ) from error


def read_limit(raw: int | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not 1 <= raw <= MAX_LIMIT:
        raise ApiError(
            400,
            "Taille de page invalide",
            f"« limit » doit être entre 1 et {MAX_LIMIT}.",
            parameter="limit",
        )
    return raw


def read_fields(raw: str | None, known: list[str]) -> list[str] | None:
    if not raw:
        return None
    fields = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise ApiError(
            400,
            "Champ inconnu",
            f"Champs inconnus : {', '.join(unknown)}. Champs possibles : {', '.join(known)}.",
            parameter="fields",
        )
    return fields


def sparse(record: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    return record if fields is None else {name: record[name] for name in fields}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
        return ";".join(str(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return neutralise(str(value)) if isinstance(value, str) else str(value)


def csv_response(records: list[dict[str, Any]], filename: str) -> HttpResponse:
    out = io.StringIO()
    columns = list(dict.fromkeys(key for record in records for key in record))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.csv"'
    return response


def wants_csv(fmt: str | None) -> bool:
    if fmt in (None, "", "json"):
        return False
    if fmt == "csv":
        return True
    raise ApiError(400, "Format inconnu", "« format » vaut json ou csv.", parameter="format")


def with_last_modified(response: HttpResponse, moment: datetime.datetime | None) -> HttpResponse:
    if moment is not None:
        response["Last-Modified"] = http_date(moment.timestamp())
    return response


def page_of(
    request,
    queryset,
    *,
    to_record,
    fields: str | None,
    known: list[str],
    limit: int | None,
    cursor: str | None,
    fmt: str | None,
    name: str,
    updated_field: str | None = "updated_at",
) -> HttpResponse:
    """One page of `queryset` in primary-key order, as JSON ({results, next_cursor}) or CSV."""
    chosen = read_fields(fields, known)
    size = read_limit(limit)
    as_csv = wants_csv(fmt)
    queryset = queryset.order_by("pk")
    if cursor:
        queryset = queryset.filter(pk__gt=decode_cursor(cursor))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    records = [sparse(to_record(row), chosen) for row in rows]
    next_cursor = encode_cursor(rows[-1].pk) if more else None
    if as_csv:
        response = csv_response(records, name)
    else:
        response = JsonResponse(
            {"results": records, "next_cursor": next_cursor},
            json_dumps_params={"ensure_ascii": False},
        )
    if next_cursor:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
    moments = [getattr(row, updated_field) for row in rows] if updated_field else []
    moments = [moment for moment in moments if moment is not None]  # a page never published
    if moments:
        with_last_modified(response, max(moments))
    return response


def one(record: dict[str, Any], fields: str | None, known: list[str], fmt: str | None, name: str):
    record = sparse(record, read_fields(fields, known))
    if wants_csv(fmt):
        return csv_response([record], name)
    return JsonResponse(record, json_dumps_params={"ensure_ascii": False})
