"""Export of fields per document type, CSV and JSON, one row per document, the spec's keys as columns."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pipelines.errors import BadInputError
from storage.access_log import list_access
from storage.db.database import Database
from storage.export import SPEC_FIELDS, export_fields


def _store(store_document) -> None:  # noqa: ANN001
    store_document(
        "cccd-1",
        "citizen_id",
        {
            "personal_id": "001190012345",
            "full_name": "Nguyễn Thị Ánh",
            "place_of_residence": 'Hà Nội, "Việt"',
        },
        dossier_code="H31.01.05-240315-0042",
    )
    store_document("cccd-2", "citizen_id", {"full_name": "Trần Văn Đức", "sex": "male"})
    store_document("qd-1", "decision", {"subject": "Quyết định"})


def test_export_csv(database: Database, store_document) -> None:  # noqa: ANN001
    _store(store_document)
    out = io.StringIO()
    with database.session(readonly=True) as s:
        assert export_fields(s, "citizen_id", "csv", out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ["document_id", "dossier_code", "status", "source", *SPEC_FIELDS["citizen_id"]]
    assert rows[0]["full_name"] == "Nguyễn Thị Ánh" and rows[0]["place_of_residence"] == 'Hà Nội, "Việt"'
    assert rows[0]["dossier_code"] == "H31.01.05-240315-0042" and rows[0]["status"] == "review"
    assert (rows[1]["document_id"], rows[1]["sex"], rows[1]["personal_id"]) == ("cccd-2", "male", "")


def test_export_json_and_unknown_type(database: Database, store_document) -> None:  # noqa: ANN001
    _store(store_document)
    store_document("x-1", "tax_notice", {"amount": "1000", "payer": "Lê Thị Hoa"})
    out = io.StringIO()
    with database.session() as s:
        assert export_fields(s, "citizen_id", "json", out, actor="hệ thống thuế", purpose="đối soát") == 2
        other = io.StringIO()
        assert export_fields(s, "tax_notice", "json", other) == 1
        empty = io.StringIO()
        assert export_fields(s, "land_use_certificate", "json", empty) == 0
        with pytest.raises(BadInputError):
            export_fields(s, "citizen_id", "xml", io.StringIO())
        log = list_access(s, actor="hệ thống thuế")
    rows = json.loads(out.getvalue())
    assert rows[1]["personal_id"] is None and rows[1]["full_name"] == "Trần Văn Đức"
    assert list(json.loads(other.getvalue())[0])[4:] == ["amount", "payer"]
    assert json.loads(empty.getvalue()) == []
    assert [(e.action, e.subject_id, e.detail) for e in log] == [
        ("export", "citizen_id", {"format": "json", "rows": 2})
    ]
