"""``POST /imports/{kind}``: the CLI's import, over HTTP (staff only)."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, UploadFile

from matcher.api.deps import ActorDep, SessionDep, StateDep
from matcher.auth.policy import require_staff
from matcher.errors import InvalidInputError

router = APIRouter(prefix="/imports", tags=["imports"])


class ImportKind(StrEnum):
    societies = "societies"
    experts = "experts"
    enterprises = "enterprises"
    needs = "needs"


def _as_dict(report: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(report):
        return dataclasses.asdict(report)
    if hasattr(report, "model_dump"):
        return report.model_dump(mode="json")
    return dict(report)


async def read_limited(file: UploadFile, limit: int) -> bytes:
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInputError(
            f"文件超过 {limit} 字节", f"file larger than {limit} bytes", code="payload_too_large"
        )
    return data


@router.post("/{kind}", response_model=dict[str, Any])
async def import_upload(
    kind: ImportKind, file: UploadFile, state: StateDep, session: SessionDep, actor: ActorDep
):
    """Import a CSV/XLSX/JSONL file; all-or-nothing, 422 with every bad row otherwise."""
    from matcher.imports.service import import_file

    require_staff(actor)
    data = await read_limited(file, state.settings.max_upload_bytes)
    report = import_file(
        session=session,
        actor=actor,
        kind=kind.value,
        filename=file.filename or f"upload.{kind.value}",
        data=data,
    )
    return _as_dict(report)
