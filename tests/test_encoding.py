"""Charset handling: the evidence order (BOM > header > declaration > detection) and refusing garbage."""

from __future__ import annotations

import codecs
import os
import random
from pathlib import Path

import pytest

from claimwatch.parse.encoding import UndecodableDocument, decode_document, decode_utf8_repairing

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

ARABIC = (
    "أعلنت المقاومة الإسلامية في العراق استهداف قاعدة عسكرية بطائرة مسيرة صباح اليوم، "
    "وقالت في بيان إن العملية جاءت ردا على الاعتداءات المستمرة على غزة ولبنان."
)


def arabic_page(meta: str = "") -> str:
    return (
        f"<html><head>{meta}<title>بيان المقاومة</title></head>"
        f"<body><h1>بيان</h1><p>{ARABIC}</p><p>{ARABIC}</p></body></html>"
    )


def test_latin1_feed_without_declaration_is_read_as_windows_1252() -> None:
    raw = (CORPUS / "feeds" / "rss-parser_uolNoticias.rss").read_bytes()
    assert not raw.lstrip().startswith(b"<?xml")
    decoded = decode_document(raw, kind="xml")
    assert decoded.encoding == "cp1252"
    assert decoded.evidence == "detected"
    assert "<description>Últimas Notícias</description>" in decoded.text
    assert "simulações de 2º turno" in decoded.text
    assert "\ufffd" not in decoded.text


def test_windows_1256_arabic_page_with_meta_charset() -> None:
    raw = arabic_page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">').encode("cp1256")
    decoded = decode_document(raw)
    assert decoded.encoding == "cp1256"
    assert decoded.evidence == "meta"
    assert ARABIC in decoded.text


def test_windows_1256_arabic_page_without_any_declaration_is_detected() -> None:
    decoded = decode_document(arabic_page().encode("cp1256"))
    assert decoded.encoding == "cp1256"
    assert ARABIC in decoded.text


def test_wrong_latin1_header_on_windows_1256_page_falls_through_to_meta() -> None:
    raw = arabic_page('<meta charset="windows-1256">').encode("cp1256")
    decoded = decode_document(raw, "text/html; charset=ISO-8859-1")
    assert decoded.evidence == "meta"
    assert ARABIC in decoded.text
    assert any("accented Latin" in note for note in decoded.notes)


def test_wrong_windows_1256_header_on_utf8_page_is_not_trusted() -> None:
    # cp1256 decodes any byte sequence "cleanly"; only the UTF-8 validity check catches the garbling.
    decoded = decode_document(arabic_page().encode("utf-8"), "text/html; charset=windows-1256")
    assert decoded.encoding == "utf-8"
    assert ARABIC in decoded.text


def test_wrong_utf8_header_on_windows_1252_page() -> None:
    raw = '<html><head><meta charset="windows-1252"></head><body>“Déjà vu” à Paris – 5 €</body></html>'
    decoded = decode_document(raw.encode("cp1252"), "text/html; charset=utf-8")
    assert decoded.evidence == "meta"
    assert "“Déjà vu” à Paris – 5 €" in decoded.text


def test_correct_header_wins_over_stale_meta() -> None:
    raw = arabic_page('<meta charset="iso-8859-1">').encode("utf-8")
    decoded = decode_document(raw, "text/html; charset=UTF-8")
    assert (decoded.encoding, decoded.evidence) == ("utf-8", "http-header")


def test_latin1_label_means_windows_1252() -> None:
    # Servers say ISO-8859-1 but send curly quotes from 0x80-0x9F; browsers (and we) read windows-1252.
    decoded = decode_document("<p>it’s “quoted”</p>".encode("cp1252"), "text/html; charset=iso-8859-1")
    assert decoded.text == "<p>it’s “quoted”</p>"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_bom_beats_a_contradicting_header(bom: bytes, codec: str) -> None:
    raw = bom + arabic_page().encode(codec)
    decoded = decode_document(raw, "text/html; charset=iso-8859-1")
    assert decoded.evidence == "bom"
    assert decoded.text.startswith("<html>")  # the BOM itself is not part of the text
    assert ARABIC in decoded.text


def test_xml_declaration_is_evidence_for_feeds() -> None:
    raw = '<?xml version="1.0" encoding="ISO-8859-15"?><rss><title>Coût 5 €</title></rss>'.encode("iso8859-15")
    decoded = decode_document(raw, kind="xml")
    assert (decoded.encoding, decoded.evidence) == ("iso8859-15", "xml-declaration")
    assert "Coût 5 €" in decoded.text


def test_nul_bytes_are_stripped_with_a_note() -> None:
    decoded = decode_document(b"<p>claim\x00 text</p>")
    assert decoded.text == "<p>claim text</p>"
    assert any("NUL" in note for note in decoded.notes)


def test_utf16_without_bom_is_recognised_by_its_nul_pattern() -> None:
    decoded = decode_document("<html><body>hello world</body></html>".encode("utf-16-le"))
    assert decoded.text == "<html><body>hello world</body></html>"


def test_random_bytes_are_rejected_with_a_reason() -> None:
    junk = random.Random(7).randbytes(4000)
    with pytest.raises(UndecodableDocument) as info:
        decode_document(junk)
    assert "no trustworthy decoding" in info.value.reason


def test_binary_and_empty_bodies_are_rejected() -> None:
    with pytest.raises(UndecodableDocument, match="PNG"):
        decode_document(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    with pytest.raises(UndecodableDocument, match="empty"):
        decode_document(b"")
    assert issubclass(UndecodableDocument, ValueError)


def test_broken_utf8_with_many_replacement_characters_is_refused() -> None:
    raw = ("<p>" + "text \ufffd " * 50 + "</p>").encode("utf-8")
    with pytest.raises(UndecodableDocument, match="replacement"):
        decode_document(raw, "text/html; charset=utf-8")


def test_valid_utf8_with_c1_mojibake_is_repaired_not_refused() -> None:
    # "It’s" once read as Latin-1 and saved as UTF-8 by the publisher: valid UTF-8 holding U+0080 and U+0099
    body = "<html><body><p>It’s a “test” – café</p></body></html>".encode().decode("latin-1").encode()
    decoded = decode_document(body, "text/html; charset=utf-8")
    assert decoded.repaired and decoded.encoding == "utf-8"
    assert "It’s a “test” – café" in decoded.text
    assert not any("\x80" <= ch <= "\x9f" for ch in decoded.text)
    assert any("ftfy" in note for note in decoded.notes)


def test_clean_utf8_is_not_touched_by_the_mojibake_repair() -> None:
    text = '<html><body><p>"Straight" and “curly” quotes, ﬁ ligature, ＦＵＬＬ width &amp; entities</p></body></html>'
    decoded = decode_document(text.encode(), "text/html; charset=utf-8")
    assert not decoded.repaired and decoded.text == text


def test_a_utf8_only_source_is_repaired_not_guessed_and_each_repair_named() -> None:
    text, repairs = decode_utf8_repairing("<p>عاجل</p>".encode() + b"\xff<p>x\x00y</p>")
    assert text == "<p>عاجل</p>\ufffd<p>xy</p>"
    assert repairs == ["invalid UTF-8 at byte 15", "1 NUL byte(s) removed"]
    assert decode_utf8_repairing("<p>عاجل</p>".encode()) == ("<p>عاجل</p>", [])
