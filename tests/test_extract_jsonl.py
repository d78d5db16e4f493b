"""The `claimwatch extract` JSON Lines contract."""

import io
import json
import subprocess
import sys
from pathlib import Path

from claimwatch.claims.extract import extractor_version
from claimwatch.tools.extract_jsonl import parse_posted_at, run_extract

ROOT = Path(__file__).resolve().parents[1]
GUIDE_KEYS = ("kind", "actor", "weapon", "target_country", "location", "event_date", "intercepted")


def run(lines: list[str]) -> list[dict]:
    out = io.StringIO()
    n = run_extract(io.StringIO("\n".join(lines) + "\n"), out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == len(rows)
    return rows


def test_keys_passed_through_and_fields_added() -> None:
    post = {
        "url": "https://t.me/x/1",
        "posted_at": "2026-06-07T21:30Z",
        "text": "حيفا تدك بصواريخ إيران",
        "msg_id": 7,
        "views": "1.2K",
    }
    [row] = run([json.dumps(post, ensure_ascii=False)])
    for k, v in post.items():
        assert row[k] == v
    assert {k: row[k] for k in GUIDE_KEYS} == {
        "kind": "report",
        "actor": "iran",
        "weapon": "missile",
        "target_country": "IL",
        "location": "Haifa",
        "event_date": "2026-06-08",  # 21:30 UTC is already the 8th in Baghdad
        "intercepted": False,
    }
    assert row["extractor_version"] == extractor_version()
    assert len(row["operations"]) == 1 and row["operations"][0]["sub_event_type"].startswith("Shelling")


def test_several_operations_are_one_line_with_first_specific_on_top() -> None:
    text = (
        "حزب الله:\n- استهدف مجاهدو المقاومة الإسلامية بتاريخ 05-06-2026 تجمعا لجنود العدو"
        " في بلدة الخيام بصلية صاروخية.\n- واستهدفوا بتاريخ 06-06-2026 ثكنة زرعيت بمحلقة انقضاضية."
    )
    [row] = run([json.dumps({"url": "u", "posted_at": "2026-06-08T09:00Z", "text": text}, ensure_ascii=False)])
    assert row["kind"] == "claim" and row["weapon"] == "rocket" and row["event_date"] == "2026-06-05"
    assert [op["location"] for op in row["operations"]] == ["Khiam", "Zar'it"]
    assert all(set(GUIDE_KEYS) <= set(op) for op in row["operations"])


def test_bad_lines_give_an_error_object_not_a_crash() -> None:
    rows = run(
        [
            "{not json",
            "[1, 2]",
            json.dumps({"url": "u", "posted_at": "yesterday-ish", "text": "غارات إسرائيلية على بلدة الخيام"}),
            json.dumps({"url": "u", "posted_at": "2026-06-08T09:00Z", "text": None}),
            json.dumps({"url": "u", "posted_at": "2026-06-08T09:00Z", "text": "😀" * 10}),
            json.dumps({"url": "u"}),
        ]
    )
    assert len(rows) == 6
    assert "invalid JSON" in rows[0]["error"] and rows[0]["kind"] == "other"
    assert "JSON object" in rows[1]["error"]
    assert rows[2]["kind"] == "report" and rows[2]["event_date"] is None
    assert any("posted_at" in r for r in rows[2]["reasons"])
    assert rows[3]["kind"] == "other" and rows[4]["kind"] == "other" and rows[5]["kind"] == "other"
    for r in rows:
        assert all(k in r for k in GUIDE_KEYS) and isinstance(r["operations"], list)


def test_other_posts_have_null_fields() -> None:
    [row] = run([json.dumps({"url": "u", "posted_at": "2026-06-08T09:00Z", "text": "ترامب يلتقي قادة الخليج"})])
    assert row["kind"] == "other" and all(row[k] is None for k in GUIDE_KEYS if k != "kind")
    assert row["operations"] == []


def test_parse_posted_at() -> None:
    assert parse_posted_at("2026-05-12T15:22Z").utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert parse_posted_at("2026-05-12T18:22:00+03:00") is not None
    assert parse_posted_at("nonsense") is None and parse_posted_at(None) is None


def test_module_cli_reads_file_and_stdin(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text(
        json.dumps({"url": "u", "posted_at": "2026-06-08T09:00Z", "text": "دوي انفجارات في أربيل"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    cmd = [sys.executable, "-m", "claimwatch.tools.extract_jsonl"]
    a = subprocess.run([*cmd, "--input", str(f)], capture_output=True, text=True, cwd=ROOT, check=True)
    b = subprocess.run(cmd, input=f.read_text(encoding="utf-8"), capture_output=True, text=True, cwd=ROOT, check=True)
    assert a.stdout == b.stdout
    row = json.loads(a.stdout)
    assert (row["kind"], row["target_country"], row["location"]) == ("report", "IQ", "Erbil")
