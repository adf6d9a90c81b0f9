"""Officers download archived copies through short-lived presigned URLs; every link is in the access log."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest

from pipelines.errors import BadInputError, NotFoundError
from storage.access import download_link, downloads_of
from storage.db.database import Database
from storage.objects import ObjectStore
from tests.storage.archive_data import Doc, archive_dossier, signed_pdf

CODE = "H31.01.05-250313-0021"


def test_download_link_serves_the_archived_copy_and_is_recorded(
    database: Database, object_store: ObjectStore
) -> None:
    _, ids = archive_dossier(
        database, object_store, CODE, [Doc("citizen_id", {"full_name": "Nguyễn Thị Ánh"})]
    )
    with database.session() as s:
        link = download_link(
            s,
            object_store,
            ids[0],
            actor="cán bộ Trần Thị Mai",
            purpose="Giải quyết hồ sơ",
            lifetime=timedelta(minutes=2),
        )
    assert link.filename == f"{CODE}.001.pdf" and "X-Amz-Expires=120" in link.url
    with urllib.request.urlopen(link.url, timeout=10) as resp:  # noqa: S310 - our own local server
        assert resp.read() == signed_pdf(ids[0])
    with database.session() as s:
        download_link(s, object_store, ids[0], actor="kiểm toán viên")
    with database.session(readonly=True) as s:
        rows = downloads_of(s, ids[0])
        assert [r.actor for r in rows] == ["kiểm toán viên", "cán bộ Trần Thị Mai"]
        assert rows[1].purpose == "Giải quyết hồ sơ" and rows[1].detail["version_id"] == link.version_id  # type: ignore[index]


def test_no_link_without_a_reader_an_archived_copy_or_a_short_lifetime(
    database: Database, object_store: ObjectStore
) -> None:
    _, ids = archive_dossier(database, object_store, CODE, [Doc("decision", {})])
    with database.session() as s, pytest.raises(BadInputError, match="actor"):
        download_link(s, object_store, ids[0], actor=" ")
    with database.session() as s, pytest.raises(BadInputError, match="15 minutes"):
        download_link(s, object_store, ids[0], actor="a", lifetime=timedelta(hours=2))
    with database.session() as s, pytest.raises(NotFoundError):
        download_link(s, object_store, "không-có", actor="a")
    with database.session(readonly=True) as s:
        assert downloads_of(s, ids[0]) == []
