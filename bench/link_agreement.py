"""Agreement of two independent passes over link pairs ("same operation or not"), the sheet, and the labels.

    # raw agreement and Cohen's kappa of the passes, batch by batch (give them as A1 B1 A2 B2 ...)
    .venv/bin/python bench/link_agreement.py agree A1.jsonl B1.jsonl [A2.jsonl B2.jsonl ...]
    # the pairs they disagree on, both answers and notes beside the pair's texts, for an adjudicator
    .venv/bin/python bench/link_agreement.py sheet --inputs IN1.jsonl [IN2 ...] --out SHEET.jsonl A1 B1 [A2 B2 ...]
    # agreed pairs + the adjudicator's decisions -> a label file of pair ids (its posts are in the draw beside it)
    .venv/bin/python bench/link_agreement.py merge --decisions DEC.jsonl --out LABELS.jsonl A1 B1 [A2 B2 ...]
    # one pass's batches appended to the pass file kept in the repository (notes cut to 300 characters)
    .venv/bin/python bench/link_agreement.py keep --out bench/gold/links/x.pass_a.jsonl A1 [A2 ...]

A pass line is ``{"pair_id", "same", "note"}`` (the annotators' format, ``/work/annot/.../BRIEF.md``); a decision
line is the same with the adjudicator's note. The sheet and the passes hold corpus text and stay outside the
repository; the merged label file holds pair ids, answers and notes only (``train.link_labels`` reads it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from label_agreement import kappa

NOTE_CHARS = 300  # a short paraphrase in the annotator's words, never the post (tests/test_claims_model.py)


def short_note(note: str) -> str:
    """The note cut at a word to at most ``NOTE_CHARS`` characters."""
    if len(note) <= NOTE_CHARS:
        return note
    cut = note[: NOTE_CHARS - 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + "…"


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pairs_of_passes(paths: list[Path]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The two passes' answers pair by pair (files given as A1 B1 A2 B2 ...; each pair of files the same ids)."""
    if len(paths) % 2:
        raise SystemExit("give the passes in pairs: A1 B1 [A2 B2 ...]")
    out = []
    for a_path, b_path in zip(paths[::2], paths[1::2], strict=True):
        a, b = _read(a_path), _read(b_path)
        if [x["pair_id"] for x in a] != [x["pair_id"] for x in b]:
            raise SystemExit(f"{a_path} and {b_path} do not answer the same pairs in the same order")
        for x, y in zip(a, b, strict=True):
            if not isinstance(x.get("same"), bool) or not isinstance(y.get("same"), bool):
                raise SystemExit(f"pair {x['pair_id']}: 'same' must be true or false in both passes")
        out += list(zip(a, b, strict=True))
    return out


def agreement(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Raw agreement, Cohen's kappa and how often each pass says "same"."""
    answers = [(a["same"], b["same"]) for a, b in pairs]
    return {
        "pairs": len(pairs),
        "agreement": sum(a == b for a, b in answers) / len(answers) if answers else float("nan"),
        "kappa": kappa(answers),
        "same_a": sum(a for a, _ in answers),
        "same_b": sum(b for _, b in answers),
        "disagreements": sum(a != b for a, b in answers),
    }


def main(argv: list[str] | None = None) -> int:
    """Agreement, adjudication sheet or merged labels (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p_agree = sub.add_parser("agree")
    p_agree.add_argument("passes", nargs="+", type=Path)
    p_sheet = sub.add_parser("sheet")
    p_sheet.add_argument("--inputs", nargs="+", required=True, type=Path, help="the annotation batches")
    p_sheet.add_argument("--out", required=True, type=Path)
    p_sheet.add_argument("passes", nargs="+", type=Path)
    p_merge = sub.add_parser("merge")
    p_merge.add_argument("--decisions", required=True, type=Path)
    p_merge.add_argument("--out", required=True, type=Path)
    p_merge.add_argument("passes", nargs="+", type=Path)
    p_keep = sub.add_parser("keep")
    p_keep.add_argument("--out", required=True, type=Path)
    p_keep.add_argument("batches", nargs="+", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "keep":
        with args.out.open("a", encoding="utf-8") as fh:
            for path in args.batches:
                for row in _read(path):
                    fh.write(json.dumps({**row, "note": short_note(row.get("note", ""))}, ensure_ascii=False) + "\n")
        return 0
    pairs = _pairs_of_passes(args.passes)
    if args.cmd == "agree":
        res = agreement(pairs)
        print(
            f"{res['pairs']} pairs: agreement {res['agreement']:.3f}, Cohen's kappa {res['kappa']:.3f}, "
            f"'same' {res['same_a']} (pass A) / {res['same_b']} (pass B), {res['disagreements']} to adjudicate"
        )
        return 0
    if args.cmd == "sheet":
        texts = {row["pair_id"]: row for path in args.inputs for row in _read(path)}
        with args.out.open("w", encoding="utf-8") as fh:
            for a, b in pairs:
                if a["same"] != b["same"]:
                    row = {**texts[a["pair_id"]], "pass_a": a, "pass_b": b}
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return 0
    decisions = {d["pair_id"]: d for d in _read(args.decisions)}
    with args.out.open("w", encoding="utf-8") as fh:
        for a, b in pairs:
            if a["same"] == b["same"]:
                label = {"pair_id": a["pair_id"], "same": a["same"], "note": short_note(a.get("note", ""))}
            elif a["pair_id"] in decisions:
                d = decisions[a["pair_id"]]
                label = {"pair_id": a["pair_id"], "same": d["same"], "note": short_note(d.get("note", ""))}
                label["adjudicated"] = True
            else:
                raise SystemExit(f"pair {a['pair_id']}: the passes disagree and no decision is given")
            fh.write(json.dumps(label, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
