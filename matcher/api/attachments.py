"""File downloads from the API: bytes sent as an attachment with a Chinese file name."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response

SHEET_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attachment(data: bytes, media_type: str, ascii_name: str, name: str) -> Response:
    """``name`` (any Unicode) for browsers that read RFC 5987, ``ascii_name`` for the rest."""
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        content=data,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
