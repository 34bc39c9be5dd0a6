"""``GET /exports/{kind}?format=csv|xlsx`` (staff only)."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Query, Response

from matcher.api.attachments import SHEET_TYPES
from matcher.api.deps import SessionDep, StaffDep

router = APIRouter(prefix="/exports", tags=["exports"])


class ExportKind(StrEnum):
    societies = "societies"
    experts = "experts"
    enterprises = "enterprises"
    needs = "needs"
    matches = "matches"


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@router.get(
    "/{kind}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in SHEET_TYPES.values()}}},
)
def export_download(
    kind: ExportKind,
    session: SessionDep,
    actor: StaffDep,
    fmt: ExportFormat = Query(ExportFormat.csv, alias="format"),
) -> Response:
    from matcher.exports.service import export_bytes

    data = export_bytes(session=session, kind=kind.value, fmt=fmt.value)
    return Response(
        content=data,
        media_type=SHEET_TYPES[fmt.value],
        headers={"Content-Disposition": f'attachment; filename="{kind.value}.{fmt.value}"'},
    )
