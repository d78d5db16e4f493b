"""The source registry: valid files load with defaults, invalid ones fail naming file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimwatch.config import PROJECT_ROOT
from claimwatch.registry import DEFAULT_BACKFILL, RegistryError, Source, load_registry


def _registry(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_design_example_is_valid_and_gets_defaults(tmp_path: Path) -> None:
    path = _registry(
        tmp_path,
        '[[source]]\nid = "naya"\nkind = "telegram"\nchannel = "naya_foriraq"\nbase_url = "http://127.0.0.1:8765"\n'
        'backfill = "all"\n\n[[source]]\nid = "news"\nkind = "feed"\nurl = "https://example.org/rss"\n',
    )
    naya, news = load_registry(path)
    assert naya.url == "http://127.0.0.1:8765/s/naya_foriraq"
    assert naya.backfill is None and naya.enabled
    assert naya.allowed_domains == ["127.0.0.1"]
    assert news.backfill == DEFAULT_BACKFILL
    assert news.politeness.obey_robots and news.politeness.download_delay >= 1.0
    assert Source.from_dict(naya.to_dict()) == naya


def test_shipped_registries_are_valid() -> None:
    demo = load_registry(PROJECT_ROOT / "sources.toml")
    assert {s.kind for s in demo} >= {"telegram"}
    assert all(s.url.startswith("http://127.0.0.1:") for s in demo), "the demo registry must stay on loopback"
    live = load_registry(PROJECT_ROOT / "sources.live.example.toml")
    assert live and not any(s.enabled for s in live), "live sources ship switched off"


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ('id = "x"\nkind = "tiktok"\nurl = "https://a.b/"', "kind", "must be one of"),
        ('id = "Bad Id"\nkind = "feed"\nurl = "https://a.b/"', "id", "lower-case"),
        ('id = "x"\nkind = "telegram"', "channel", "required for telegram"),
        ('id = "x"\nkind = "feed"\nurl = "ftp://a.b/"', "url", "http(s) URL"),
        ('id = "x"\nkind = "feed"\nurl = "https://a.b/"\nbackfill = -3', "backfill", "positive"),
        ('id = "x"\nkind = "feed"\nurl = "https://a.b/"\nshedule = "@daily"', "shedule", "unknown key"),
        (
            'id = "x"\nkind = "feed"\nurl = "https://a.b/"\npoliteness = { download_delay = "fast" }',
            "politeness.download_delay",
            "expected",
        ),
        ('id = "x"\nkind = "listing"\nurl = "https://a.b/"', "selectors", "required for listing"),
        (
            'id = "x"\nkind = "feed"\nurl = "https://a.b/"\npoliteness = { speed = 9 }',
            "politeness.speed",
            "unknown key",
        ),
        ('id = "x"\nkind = "feed"\nurl = "https://a.b/"\nmax_pages = true', "max_pages", "expected an integer"),
        ('id = "x"\nkind = "feed"\nurl = "https://a.b/"\nallowed_domains = ["http://x/"]', "allowed_domains", "host"),
    ],
)
def test_errors_name_file_entry_and_field(tmp_path: Path, entry: str, field: str, words: str) -> None:
    path = _registry(tmp_path, '[[source]]\nid = "ok"\nkind = "feed"\nurl = "https://a.b/"\n\n[[source]]\n' + entry)
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert str(path) in message
    assert "#2" in message
    assert f"field {field!r}" in message
    assert words in message


def test_duplicate_ids_and_bad_toml(tmp_path: Path) -> None:
    entry = '[[source]]\nid = "a"\nkind = "feed"\nurl = "https://a.b/"\n'
    with pytest.raises(RegistryError, match="duplicate id"):
        load_registry(_registry(tmp_path, entry + entry))
    with pytest.raises(RegistryError, match="not valid TOML"):
        load_registry(_registry(tmp_path, "[[source]\n"))
    with pytest.raises(RegistryError, match="no such registry"):
        load_registry(tmp_path / "missing.toml")


def test_voice_and_allowed_domains_are_registry_keys(tmp_path: Path) -> None:
    reg = tmp_path / "s.toml"
    reg.write_text(
        '[[source]]\nid = "idf"\nkind = "telegram"\nchannel = "idfofficial"\nvoice = "israel"\n'
        '[[source]]\nid = "site"\nkind = "feed"\nurl = "https://rss.example.com/f.xml"\n'
        'allowed_domains = ["www.example.com"]\n'
    )
    idf, site = load_registry(reg)
    assert idf.voice == "israel" and site.voice is None
    assert site.allowed_domains == ["rss.example.com", "www.example.com"]
    reg.write_text('[[source]]\nid = "x"\nkind = "telegram"\nchannel = "abc"\nvoice = "martians"\n')
    with pytest.raises(RegistryError, match="voice"):
        load_registry(reg)


def test_the_live_example_declares_the_voice_of_its_outlets() -> None:
    live = {s.id: s for s in load_registry(Path(__file__).resolve().parents[1] / "sources.live.example.toml")}
    assert live["idf_official"].voice == "israel"
    assert live["naya_foriraq"].voice is None  # a news relay speaks for no one
