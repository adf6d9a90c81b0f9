"""The shared database on PostgreSQL: lookup and search latency at scale, and 4-writer ingest throughput.

    .venv/bin/python benchmarks/bench_db.py --persons 1000000 --docs-per-person 3      # the issue's size
    .venv/bin/python benchmarks/bench_db.py --persons 100000 --writer-docs 1000        # a quicker run

Creates (or, with ``--fresh``, recreates) the database DB on the server, migrates it, bulk-loads synthetic
persons with their documents (one page of OCR text, their fields, the holder link and facts) with COPY (the
secondary and search indexes are dropped for the load and built again after it), then measures, through the
same code the pipeline and the web app call:
- ``lookup_person`` of random known IDs (with its access-log row and commit): p50 / p95;
- diacritic-insensitive ``search`` of random full names typed without accents, of ID numbers, and of the
  first nine digits of ID numbers (parts of words: the trigram indexes): p50 / p95;
- ingest: WRITERS processes each save new documents (a quarter naming an already known person, a tenth of
  them a second time) with ``save_results`` (BATCH documents per transaction; ``--batch 1`` and
  ``--per-document`` for ``save_document`` + ``link_document`` one transaction per document): documents
  (with their fields, page, links and facts) per second, then a check that nothing exists twice. With
  ``--profile``, where the writers' time went: seconds per kind of statement (and table), summed over writers.

To measure again on a database already loaded (no second load), leave out what is not wanted:
``--skip lookup search``, ``--skip ingest``, ...
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from pipelines.model import DocumentResult, Field, PageText, Status  # noqa: E402
from sohoa.samples.people import full_name  # noqa: E402
from storage import repository as repo  # noqa: E402
from storage.db.database import Database  # noqa: E402
from storage.db.fold import fold  # noqa: E402
from storage.lookup import lookup_person  # noqa: E402
from storage.people import link_document, name_key  # noqa: E402
from storage.save_many import ToSave, save_results  # noqa: E402
from storage.search import search  # noqa: E402

PLACES = [
    "Hà Nội",
    "Hải Phòng",
    "Đà Nẵng",
    "Huế",
    "Cần Thơ",
    "Nam Định",
    "Thanh Hóa",
    "Nghệ An",
    "Quảng Ninh",
    "Đồng Nai",
]
TYPES = ("citizen_id", "birth_certificate", "application_form")


def _pid(n: int) -> str:
    return f"0{(n * 7919) % 100_000_000_000:011d}"


def _person(rng: random.Random, n: int) -> tuple[str, str, str, str]:
    name = full_name(rng, rng.choice(("male", "female")))
    dob = f"{rng.randint(1940, 2010)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return _pid(n), name, dob, rng.choice(PLACES)


def _copy(cur: psycopg.Cursor, table: str, columns: str, rows: list[tuple]) -> None:
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


LOADED_TABLES = ["persons", "documents", "fields", "pages", "document_parties", "person_facts"]


def _drop_secondary_indexes(cur: psycopg.Cursor) -> list[str]:
    """Drop the indexes that back no constraint (search, trigram, plain b-trees); return their definitions."""
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        (LOADED_TABLES,),
    )
    found = cur.fetchall()
    for name, _ in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def load(dsn: str, persons: int, per_person: int, chunk: int = 20_000) -> tuple[float, float]:
    """Bulk-load ``persons`` persons with ``per_person`` documents each; return seconds for the rows and for
    building the indexes again."""
    started = time.perf_counter()
    rng = random.Random(42)
    now = datetime.now(UTC)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(
            "SET session_replication_role = replica"
        )  # no foreign-key triggers: the rows are known good
        indexes = _drop_secondary_indexes(cur)
        conn.commit()
        for start in range(0, persons, chunk):
            p_rows, d_rows, f_rows, pg_rows, party_rows, fact_rows = [], [], [], [], [], []
            for n in range(start, min(persons, start + chunk)):
                pid, name, dob, place = _person(rng, n)
                person_id = n + 1
                p_rows.append((person_id, pid, name_key(name, dob), name, dob, now, now))
                for k in range(per_person):
                    doc_id = f"bench-{n:08d}-{k}"  # ascending: the primary and unique keys grow at their end
                    doc_type = TYPES[k % len(TYPES)]
                    signed = k == 0
                    d_rows.append(
                        (
                            doc_id,
                            f"scans/{n}/{k}.pdf",
                            f"{n:032x}{k:032x}",
                            "archived" if signed else "review",
                            1,
                            doc_type,
                            0.95,
                            "[]",
                            "[]",
                            "sohoa-archive" if signed else None,
                            f"H31/{doc_id}.pdf" if signed else None,
                            "v1" if signed else None,
                            now if signed else None,
                            now,
                            now,
                        )
                    )
                    fields = {"full_name": name, "date_of_birth": dob, "place_of_residence": place}
                    fields["personal_id" if doc_type != "application_form" else "applicant_id"] = pid
                    for key, value in sorted(fields.items()):
                        f_rows.append((doc_id, key, value, 0.9, value, 0, "ocr", "[]", now))
                    text = (
                        f"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                        f"Họ và tên: {name.upper()}\nNgày sinh: {dob}\nSố định danh: {pid}\n"
                        f"Nơi thường trú: {place}\n"
                    )
                    pg_rows.append((doc_id, 0, "ocr", 2480, 3508, 300, 0.9, False, text, "[]"))
                    role = "applicant" if doc_type == "application_form" else "holder"
                    party_rows.append((doc_id, role, person_id, name, now))
                    for key in ("date_of_birth", "full_name"):
                        value = fields[key]
                        fact_rows.append((person_id, key, value, fold(value), doc_id, key, 0.9, now))
            _copy(
                cur,
                "persons",
                "id, personal_id, name_key, full_name, date_of_birth, created_at, updated_at",
                p_rows,
            )
            _copy(
                cur,
                "documents",
                "id, source, sha256, status, page_count, doc_type, doc_type_confidence, review_reasons,"
                " to_rescan, archive_bucket, archive_key, archive_version_id, signed_at, created_at, updated_at",
                d_rows,
            )
            _copy(
                cur,
                "fields",
                "document_id, key, value, confidence, raw, page, source, problems, updated_at",
                f_rows,
            )
            _copy(
                cur,
                "pages",
                'document_id, "index", source, width, height, dpi, mean_confidence, blank, text, notes',
                pg_rows,
            )
            _copy(cur, "document_parties", "document_id, role, person_id, name, created_at", party_rows)
            _copy(
                cur,
                "person_facts",
                "person_id, key, value, value_key, document_id, field_key, confidence, observed_at",
                fact_rows,
            )
            conn.commit()
            done = min(persons, start + chunk)
            if done % 100_000 == 0 or done == persons:
                print(
                    f"  loaded {done:,} persons ({time.perf_counter() - started:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
        cur.execute("SELECT setval(pg_get_serial_sequence('persons', 'id'), (SELECT max(id) FROM persons))")
        conn.commit()
    rows_done = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        for definition in indexes:
            t = time.perf_counter()
            conn.execute(definition)
            print(
                f"  {definition.split(' USING ')[0]}: {time.perf_counter() - t:.0f} s",
                file=sys.stderr,
                flush=True,
            )
        conn.execute("VACUUM ANALYZE")
    return rows_done - started, time.perf_counter() - rows_done


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def bench_lookup(db: Database, persons: int, n: int) -> list[float]:
    rng = random.Random(7)
    times = []
    for _ in range(n):
        pid = _pid(rng.randrange(persons))
        t = time.perf_counter()
        with db.session() as s:
            view = lookup_person(s, pid, actor="bench", purpose="benchmark")
        times.append((time.perf_counter() - t) * 1000)
        assert view.found and view.documents
    return times


def bench_search(db: Database, persons: int, n: int) -> dict[str, tuple[list[float], int]]:
    """Times (ms) and how many queries found nothing, per kind of query."""
    rng = random.Random(11)
    out: dict[str, tuple[list[float], int]] = {}
    for _ in range(n):
        pid = _pid(rng.randrange(persons))
        folded = fold(full_name(rng, rng.choice(("male", "female"))))  # typed plainly
        for kind, query in (
            ("name without accents", folded),
            ("ID number", pid),
            ("ID, first 9 digits", pid[:9]),
        ):
            t = time.perf_counter()
            with db.session(readonly=True) as s:
                hits = search(s, query, limit=20)
            times, empty = out.setdefault(kind, ([], 0))
            times.append((time.perf_counter() - t) * 1000)
            out[kind] = (times, empty + (not hits))
    return out


def _ingest_item(tag: int, worker: int, i: int, count: int, known: int) -> ToSave:
    """A citizen ID card read by the pipeline: a quarter of them name an already loaded person; a tenth are
    documents another writer saves too (the same batch fed to two machines)."""
    shared = i % 10 == 5
    owner = 0 if shared else worker
    rng = random.Random(tag * 1_000_003 + owner * 10_007 + i)
    n = rng.randrange(known) if i % 4 == 0 else 10_000_000 + tag * 1_000_000 + owner * count + i
    pid, name, dob, place = _person(random.Random(n), n)
    doc_id = f"ingest-{tag}-{owner}-{i}"
    fields = {
        "personal_id": pid,
        "full_name": name,
        "date_of_birth": dob,
        "sex": "female" if n % 2 else "male",
        "place_of_residence": place,
        "nationality": "Việt Nam",
    }
    result = DocumentResult(
        id=doc_id,
        source=f"ingest/{doc_id}.jpg",
        sha256=f"{owner:032x}{i:032x}",
        dossier_code=None,
        status=Status.REVIEW,
        pages=1,
        doc_type="citizen_id",
        doc_type_confidence=0.97,
        fields={k: Field(k, v, 0.93, page=0, bbox=(1, 2, 3, 4)) for k, v in fields.items()},
    )
    page = PageText(0, 2480, 3508, 300, "ocr", [], "\n".join(fields.values()), 0.93)
    return ToSave(result, [page])


_STATEMENT = re.compile(
    r"^\s*(?:(INSERT INTO|DELETE FROM|UPDATE)\s+(\w+)|(SELECT)\b.*?\bFROM\s+(\w+))", re.I | re.S
)


def _profile(engine: sa.Engine) -> dict[str, list[float]]:
    """Time every statement the engine runs: (kind and table) -> [seconds, count]."""
    spent: dict[str, list[float]] = {}

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        conn.info["bench_t"] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        m = _STATEMENT.match(statement)
        label = f"{(m[1] or 'SELECT').split()[0]} {m[2] or m[4]}" if m else statement.split(None, 1)[0]
        entry = spent.setdefault(label.upper(), [0.0, 0])
        entry[0] += time.perf_counter() - conn.info.pop("bench_t")
        entry[1] += 1

    return spent


def _writer(
    url: str,
    worker: int,
    count: int,
    known: int,
    batch: int,
    per_document: bool,
    tag: int,
    profile: bool = False,
) -> tuple[int, float, float, dict[str, list[float]]]:
    """Save ``count`` documents; return how many, when (wall clock) the saving started and ended, and (with
    ``profile``) the time spent per kind of statement."""
    db = Database(url)
    spent = _profile(db.engine) if profile else {}
    try:
        items = [_ingest_item(tag, worker, i, count, known) for i in range(count)]
        with db.session() as s:  # connect before the clock starts
            s.execute(sa.text("SELECT 1"))
        started = time.time()
        for start in range(0, count, batch):
            chunk = items[start : start + batch]
            if per_document:
                for item in chunk:
                    with db.session() as s:
                        repo.save_document(
                            s,
                            item.result,
                            batch_id="bench",
                            dossier_id=None,
                            pages=item.pages,
                            original=None,
                            derived_pdf=None,
                        )
                        link_document(s, item.result.id)
            else:
                db.run(lambda s, chunk=chunk: save_results(s, chunk, batch_id="bench"))
        return count, started, time.time(), spent
    finally:
        db.dispose()


def bench_writers(
    url: str, workers: int, per_worker: int, known: int, batch: int, per_document: bool, profile: bool = False
) -> tuple[float, int, dict[str, list[float]]]:
    """Documents saved per second by WORKERS processes (from the first start to the last end, process start-up
    left out), how many distinct documents that was, and (``profile``) the seconds and count of each kind of
    statement, summed over the writers."""
    tag = int(time.time()) % 10_000  # new documents and new persons on every run
    with ProcessPoolExecutor(workers) as pool:
        runs = list(
            pool.map(
                _writer,
                [url] * workers,
                range(workers),
                [per_worker] * workers,
                [known] * workers,
                [batch] * workers,
                [per_document] * workers,
                [tag] * workers,
                [profile] * workers,
            )
        )
    done = sum(run[0] for run in runs)
    seconds = max(run[2] for run in runs) - min(run[1] for run in runs)
    spent: dict[str, list[float]] = {"(all writers, wall clock)": [sum(r[2] - r[1] for r in runs), 0]}
    for run in runs:
        for label, (t, n) in run[3].items():
            entry = spent.setdefault(label, [0.0, 0])
            entry[0] += t
            entry[1] += n
    distinct = len(
        {
            _ingest_item(tag, w, i, per_worker, known).result.id
            for w in range(workers)
            for i in range(per_worker)
        }
    )
    return done / seconds, distinct, spent


def duplicates(db: Database) -> dict[str, int]:
    checks = {
        "persons": "SELECT count(*) FROM (SELECT personal_id FROM persons WHERE personal_id IS NOT NULL"
        " GROUP BY personal_id HAVING count(*) > 1) x",
        "unidentified persons": "SELECT count(*) FROM (SELECT name_key FROM persons WHERE personal_id IS NULL"
        " GROUP BY name_key HAVING count(*) > 1) x",
        "facts": "SELECT count(*) FROM (SELECT person_id, document_id, key FROM person_facts"
        " GROUP BY person_id, document_id, key HAVING count(*) > 1) x",
        "documents": "SELECT count(*) FROM (SELECT id FROM documents GROUP BY id HAVING count(*) > 1) x",
        "fields": "SELECT count(*) FROM (SELECT document_id, key FROM fields GROUP BY document_id, key"
        " HAVING count(*) > 1) x",
        "parties": "SELECT count(*) FROM (SELECT document_id, role FROM document_parties"
        " GROUP BY document_id, role HAVING count(*) > 1) x",
    }
    with db.engine.connect() as conn:
        return {k: conn.execute(sa.text(q)).scalar() or 0 for k, q in checks.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default="host=127.0.0.1 port=5432 user=postgres dbname=test")
    ap.add_argument("--db", default="sohoa_bench")
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--docs-per-person", type=int, default=3)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--writer-docs", type=int, default=2000, help="documents per writer")
    ap.add_argument("--batch", type=int, default=500, help="documents per transaction (save_results)")
    ap.add_argument("--per-document", action="store_true", help="save_document + link_document, one by one")
    ap.add_argument("--fresh", action="store_true", help="drop and reload the database")
    ap.add_argument(
        "--profile", action="store_true", help="ingest: time spent per kind of statement (all writers summed)"
    )
    ap.add_argument("--skip", nargs="*", default=[], choices=["lookup", "search", "ingest"])
    args = ap.parse_args()

    with psycopg.connect(args.server, autocommit=True) as admin:
        if args.fresh:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.db,)).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{args.db}"')
    dsn = args.server.replace("dbname=test", f"dbname={args.db}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.db}"
    db = Database(url)
    db.migrate()
    with db.engine.connect() as conn:
        loaded = conn.execute(sa.text("SELECT count(*) FROM persons")).scalar() or 0
    if loaded == 0:
        rows_s, index_s = load(dsn, args.persons, args.docs_per_person)
        print(
            f"load: {args.persons:,} persons, {args.persons * args.docs_per_person:,} documents:"
            f" rows {rows_s:.0f} s, indexes and VACUUM ANALYZE {index_s:.0f} s"
        )
    elif loaded < args.persons:
        sys.exit(f"the database holds {loaded:,} persons, not {args.persons:,}: use --fresh")
    with db.engine.connect() as conn:
        docs = conn.execute(sa.text("SELECT count(*) FROM documents")).scalar()
        fields = conn.execute(sa.text("SELECT count(*) FROM fields")).scalar()
        size = conn.execute(sa.text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
    print(f"data: {loaded or args.persons:,} persons, {docs:,} documents, {fields:,} fields, {size} on disk")
    print(
        f"load average before measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)"
    )

    if "lookup" not in args.skip:
        bench_lookup(db, args.persons, 20)  # warm-up
        lookups = bench_lookup(db, args.persons, args.queries)
        print(
            f"lookup_person: p50 {_p(lookups, 50):.1f} ms, p95 {_p(lookups, 95):.1f} ms ({len(lookups)} lookups)"
        )
    if "search" not in args.skip:
        for kind, (times, empty) in bench_search(db, args.persons, args.queries).items():
            print(
                f"search, {kind}: p50 {_p(times, 50):.1f} ms, p95 {_p(times, 95):.1f} ms"
                f" ({len(times)} queries, {empty} found nothing)"
            )
    if "ingest" not in args.skip:
        batch = 1 if args.per_document else args.batch
        rate, distinct, spent = bench_writers(
            url, args.writers, args.writer_docs, args.persons, batch, args.per_document, args.profile
        )
        how = "one by one" if args.per_document else f"save_results, {batch} per transaction"
        print(
            f"ingest: {args.writers} writers, {rate:.0f} documents (6 fields, 1 page, links, facts) per second"
            f" ({how}; {args.writers * args.writer_docs:,} saves of {distinct:,} distinct documents)"
        )
        if args.profile:
            wall = spent.pop("(all writers, wall clock)")[0]
            in_sql = sum(t for t, _ in spent.values())
            print(f"  writers' time: {wall:.1f} s, {in_sql / wall:.0%} of it waiting for statements:")
            for label, (t, n) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
                print(f"    {label:32} {t:7.2f} s {t / wall:5.1%} {n:6d} x {1000 * t / n:7.2f} ms")
            print(f"    {'(Python, commit, network)':32} {wall - in_sql:7.2f} s {1 - in_sql / wall:5.1%}")
        dup = duplicates(db)
        print(f"duplicates: {dup}")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    db.dispose()
    print("command: " + " ".join(sys.argv))


if __name__ == "__main__":
    main()
