"""``POST /imports/{kind}``: the CLI's import, over HTTP; ``/imports/mappings``: saved column
mappings (staff only)."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Path, UploadFile
from pydantic import BaseModel, Field

from matcher.api.deps import SessionDep, StaffDep, StateDep
from matcher.errors import InvalidInputError
from matcher.imports import mappings
from matcher.imports.schemas import ImportMappingIn, ImportMappingOut

router = APIRouter(prefix="/imports", tags=["imports"])
MAX_MAPPING_BYTES = 64 * 1024


class ImportKind(StrEnum):
    societies = "societies"
    experts = "experts"
    enterprises = "enterprises"
    needs = "needs"
    conflicts = "conflicts"
    activities = "activities"


class ImportReportOut(BaseModel):
    kind: str
    total: int
    created: int
    updated: int
    unchanged: int
    warnings: list[str]
    also: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="rows of other tables written too (enterprises)"
    )


def read_limited(file: UploadFile, limit: int) -> bytes:
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInputError(
            f"文件超过 {limit} 字节", f"file larger than {limit} bytes", code="payload_too_large"
        )
    return data


MappingName = Annotated[str, Path(max_length=mappings.MAX_NAME, description="the mapping's name")]


@router.get("/mappings", response_model=list[ImportMappingOut])
def list_mappings(session: SessionDep, actor: StaffDep, kind: ImportKind | None = None):
    """Saved column mappings by name (of one kind when given). Staff only."""
    return mappings.list_mappings(session=session, actor=actor, kind=kind.value if kind else None)


@router.get("/mappings/{name}", response_model=ImportMappingOut)
def get_mapping(session: SessionDep, actor: StaffDep, name: MappingName):
    return mappings.get_mapping(session=session, actor=actor, name=name)


@router.put("/mappings/{name}", response_model=ImportMappingOut)
def save_mapping(session: SessionDep, actor: StaffDep, name: MappingName, body: ImportMappingIn):
    """Create or replace a saved column mapping (the pairs a mapping file holds; every
    field is checked as in a mapping file). Staff only; audited."""
    return mappings.save_mapping(
        session=session, actor=actor, name=name, kind=body.kind, mapping=body.mapping
    )


@router.delete("/mappings/{name}", status_code=204)
def delete_mapping(session: SessionDep, actor: StaffDep, name: MappingName) -> None:
    mappings.delete_mapping(session=session, actor=actor, name=name)


@router.post("/{kind}", response_model=ImportReportOut)
def import_upload(
    kind: ImportKind,
    file: UploadFile,
    state: StateDep,
    session: SessionDep,
    actor: StaffDep,
    background: BackgroundTasks,
    mapping: UploadFile | None = File(
        None, description='mapping.toml (or .json): "column as in the file" = "field" or "ignore"'
    ),
    mapping_name: str | None = Form(
        None,
        max_length=mappings.MAX_NAME,
        description="a saved mapping (GET /imports/mappings), instead of a mapping file",
    ),
):
    """Import a CSV/XLSX/JSONL file; all-or-nothing, 422 with every bad row otherwise.
    needs also takes a need-collection summary sheet (rows carry their enterprise).
    Staff only; files up to ``MATCHER_MAX_UPLOAD_BYTES`` (20 MiB) and
    ``MATCHER_MAX_IMPORT_ROWS`` rows. It runs in a worker thread, never on the event loop;
    while another import runs it waits, then answers 503 ``import_busy`` with Retry-After.

    The matching indexes are refreshed after the import is committed.
    """
    from matcher.imports.headers import load_mapping
    from matcher.imports.service import import_file

    data = read_limited(file, state.settings.max_upload_bytes)
    columns = None
    if mapping is not None:
        name = mapping.filename or "mapping.toml"
        columns = load_mapping(name, read_limited(mapping, MAX_MAPPING_BYTES))
    columns = mappings.mapping_for_import(
        session=session, actor=actor, kind=kind.value, name=mapping_name, mapping=columns
    )
    report = import_file(
        session=session,
        actor=actor,
        kind=kind.value,
        filename=file.filename or f"upload.{kind.value}",
        data=data,
        mapping=columns,
    )
    background.add_task(state.refresh_indexes)
    return ImportReportOut(**dataclasses.asdict(report))
