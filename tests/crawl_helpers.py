"""Helpers for tests that crawl a loopback replay site into a real warehouse."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from claimwatch.ingest import crawl

# The demo news site (demo/news_site) and the articles it publishes, by slug.
DEMO_SITE = Path(__file__).resolve().parents[1] / "demo" / "news_site"

ENGLISH = [
    "ain-al-asad-rockets-no-casualties",
    "al-tanf-drone-attack-centcom",
    "basra-oil-exports-september",
    "eilat-drone-intercepted-from-east",
    "golan-golani-base-drone-claim",
    "harir-base-drone-shot-down-erbil",
    "iraq-parliament-supplementary-budget",
    "kiryat-shmona-hezbollah-rocket-salvo",
    "lebanon-reconstruction-donors-beirut",
    "yemen-missile-haifa-intercepted",
]
ARABIC = [
    "eilat-drone-iraq",
    "harir-drone-1256",
    "iraq-electricity-iran-gas",
    "kiryat-shmona-salvo",
    "koya-iranian-shelling",
    "victoria-base-cram",
]


def write_registry(path: Path, *entries: str) -> Path:
    """Write a registry file from TOML ``[[source]]`` snippets."""
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def telegram_entry(
    source_id: str, channel: str, base_url: str, backfill: str | int = '"all"', **politeness: Any
) -> str:
    """A loopback Telegram registry entry with no delays (the site is on this machine)."""
    polite = {"download_delay": 0.0, "autothrottle": False, "concurrency": 4, **politeness}
    inline = ", ".join(
        f"{k} = {json.dumps(v) if not isinstance(v, bool) else str(v).lower()}" for k, v in polite.items()
    )
    return (
        f'[[source]]\nid = "{source_id}"\nkind = "telegram"\nchannel = "{channel}"\nbase_url = "{base_url}"\n'
        f"backfill = {backfill}\npoliteness = {{ {inline} }}\n"
    )


def crawl_command(registry: Path, source_id: str) -> list[str]:
    """The crawl process's command line, as the DAG's crawl task runs it."""
    return crawl.crawl_command(str(registry), source_id)


def run_crawl(registry: Path, source_id: str, dsn: str, timeout: float = 600) -> tuple[int, dict[str, Any], str]:
    """Run one crawl in a subprocess (as the DAG does); return exit code, summary row and stderr."""
    proc = subprocess.run(
        crawl_command(registry, source_id),
        env={**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": dsn, "CLAIMWATCH_CRAWL_LOG_LEVEL": "INFO"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return proc.returncode, crawl.read_summary(proc.stdout) or {}, proc.stderr


def write_channel(path: Path, channel: str, count: int, first_id: int = 1000) -> list[dict[str, Any]]:
    """A self-written channel of ``count`` posts, one a minute, Arabic and English, as replay corpus JSON Lines."""
    posts = []
    for i in range(count):
        msg_id = first_id + i
        text = f"المقاومة الإسلامية في العراق: بيان رقم {i}\nstatement {i}" if i % 2 else f"News item {i}: markets."
        posts.append(
            {
                "channel": channel,
                "msg_id": msg_id,
                "url": f"https://t.me/{channel}/{msg_id}",
                "posted_at": f"2026-10-{1 + i // 1440:02d}T{(i // 60) % 24:02d}:{i % 60:02d}Z",
                "views": f"{i}.{i % 10}K",
                "forwarded_from": None,
                "text": text,
            }
        )
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in posts) + "\n", encoding="utf-8")
    return posts
