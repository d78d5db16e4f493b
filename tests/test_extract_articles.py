"""The ``extract-articles`` contract: files and folders in, one JSON object per page out, errors as objects."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

from claimwatch.tools.extract_articles import page_id, run_extract_articles

PROJECT = Path(__file__).resolve().parents[1]

ENGLISH = "<p>{}</p>".format(
    "The army said on Tuesday that air defences intercepted two drones launched from Iraq towards the north. "
    "Sirens sounded in several towns and residents were told to stay near shelters for ten minutes. "
    "No injuries were reported, and the military said it was investigating where the drones were launched."
)


def write_pages(folder: Path) -> None:
    page = (
        "<html><head><title>Drones intercepted over the north</title>"
        '<meta property="article:published_time" content="2026-05-12T04:30:00Z"></head>'
        f"<body><article><h1>Drones intercepted over the north</h1>{ENGLISH}{ENGLISH}</article></body></html>"
    )
    (folder / "plain-page.html").write_text(page, encoding="utf-8")
    (folder / "zipped-page.html.gz").write_bytes(gzip.compress(page.encode("cp1252")))
    (folder / "empty-page.html").write_bytes(b"")
    (folder / "broken.html.gz").write_bytes(b"not gzip at all")
    (folder / "notes.txt").write_text("not a page", encoding="utf-8")


def test_folder_yields_one_object_per_page(tmp_path: Path) -> None:
    write_pages(tmp_path)
    out = io.StringIO()
    status = run_extract_articles([str(tmp_path)], out)
    records = {r["id"]: r for r in map(json.loads, out.getvalue().splitlines())}

    assert status == 0
    assert set(records) == {"plain-page", "zipped-page", "empty-page", "broken"}  # notes.txt is not a page
    for good in ("plain-page", "zipped-page"):
        record = records[good]
        assert record["title"] == "Drones intercepted over the north"
        assert record["body"].startswith("The army said on Tuesday")
        assert record["published_at"] == "2026-05-12T04:30:00+00:00"
        assert record["language"] == "en"
        assert {"author", "updated_at", "canonical_url"} <= record.keys()
        assert "error" not in record
    assert "empty" in records["empty-page"]["error"]
    assert "unreadable" in records["broken"]["error"]
    assert "body" not in records["broken"]


def test_missing_path_sets_exit_status_and_reports_the_page(tmp_path: Path) -> None:
    out = io.StringIO()
    status = run_extract_articles([str(tmp_path / "gone.html")], out)
    (record,) = map(json.loads, out.getvalue().splitlines())
    assert status == 1
    assert record["id"] == "gone"
    assert "unreadable" in record["error"]


def test_page_id_strips_only_page_suffixes() -> None:
    assert page_id(Path("/x/abc123.html.gz")) == "abc123"
    assert page_id(Path("story.v2.HTML")) == "story.v2"
    assert page_id(Path("odd.txt")) == "odd.txt"


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    write_pages(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "claimwatch.tools.extract_articles", str(tmp_path / "plain-page.html")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=120,
    )
    (record,) = map(json.loads, proc.stdout.splitlines())
    assert record["id"] == "plain-page"
    assert record["body"].count("The army said on Tuesday") == 2
