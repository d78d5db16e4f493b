"""The preview parser against real t.me/s pages (the shared corpus) and against the junk a crawl meets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.parse.telegram_preview import PreviewPage, parse_count, parse_message_html, parse_preview_page
from tests.shared_corpus import needs_shared

TELEGRAM = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "telegram"
FULL = TELEGRAM / "any2feed_full.html"
FORWARDED = TELEGRAM / "any2feed_message_forwarded_from.html"
PLAIN = TELEGRAM / "any2feed_message_text.html"

pytestmark = needs_shared(FULL)

# (id, UTC time, views, forwarded_from, media kinds), in page order, read off the page by hand.
EXPECTED = [
    (70989, "2023-02-28T07:47:53", 37200, None, ["photo"]),
    (70990, "2023-02-28T08:09:50", 34500, None, []),
    (70992, "2023-02-28T08:51:58", 33800, None, ["photo", "video"]),
    (70995, "2023-02-28T08:54:50", 33600, None, []),
    (70996, "2023-02-28T09:06:02", 32900, "Военкор Ярем", ["link_preview"]),
    (70997, "2023-02-28T10:00:03", 30300, None, []),
    (70998, "2023-02-28T10:29:08", 29000, "БелВПО", ["photo"]),
    (70999, "2023-02-28T10:43:08", 28700, None, []),
    (71000, "2023-02-28T10:52:36", 28700, None, ["photo"]),
    (71006, "2023-02-28T12:48:58", 17200, "Старше Эдды", ["video"]),
    (71007, "2023-02-28T13:02:00", 16800, "Пул N3", ["video"]),
    (71008, "2023-02-28T13:14:03", 14900, "ImpNavigator", ["video"]),
]


@pytest.fixture(scope="module")
def full_html() -> str:
    return FULL.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(full_html: str) -> PreviewPage:
    return parse_preview_page(full_html)


def test_page_has_all_twelve_posts_with_ids_times_views_and_media(page: PreviewPage) -> None:
    assert page.errors == []
    assert page.is_channel_page
    assert page.channel == "topwar_official"
    got = [
        (p.msg_id, p.posted_at.replace(tzinfo=None).isoformat(), p.views, p.forwarded_from, p.media) for p in page.posts
    ]
    assert got == EXPECTED
    for post in page.posts:
        assert post.posted_at.tzinfo is not None and post.posted_at.utcoffset() == UTC.utcoffset(None)
        assert post.channel == "topwar_official"
        assert post.url == f"https://t.me/topwar_official/{post.msg_id}"
        assert post.edited is False
        assert post.html.startswith("<div") and f'data-post="topwar_official/{post.msg_id}"' in post.html
        assert len(post.content_sha256) == 64


def test_cursor_points_at_the_oldest_post_and_there_is_no_newer_page(page: PreviewPage) -> None:
    assert page.before == 70989
    assert page.after is None


def test_texts_keep_line_breaks_links_and_entities_exactly(page: PreviewPage) -> None:
    posts = {p.msg_id: p for p in page.posts}
    assert posts[70989].text == (
        "В Санкт-Петербурге в небо над городом подняли истребители из-за неизвестного объекта в воздухе, "
        "аэропорт Пулково не принимает самолеты, сообщает Baza.\n"
        "Судя по сервису Flightradar, гражданские самолеты не приближаются к Санкт-Петербургу."
    )
    assert posts[70990].text == "Власти Петербурга подтвердили, что аэропорт Пулково временно не принимает самолеты."
    assert posts[70995].text == (
        'План "Ковер" отменен, небо над Санкт-Петербургом открывают, сообщает источник РЕН ТВ.'
    )
    # Album caption nested in a second text div.
    assert posts[70992].text.startswith("Сегодня ночью в Республике Адыгея упал")
    assert posts[70992].text.endswith("БПЛА Ту-141 или Ту-143.")
    # Link text kept; <br/><br/> is a blank line; a trailing mention link kept.
    text = posts[70996].text
    assert "подошли к самолетику в Бахмуте на расстояние 180 метров, пока не соответствует" in text
    assert text.endswith("стелы с МиГ-17.\n\n@yaremshooter")
    assert text.count("\n\n") == 3
    # A space the author left before a line break is content, and survives.
    assert "значимой информацией. \nПредстоит уделить" in posts[71007].text
    # Bold runs keep their text and spacing.
    assert "за ПВО проведена тренировка по взаимодействию с гражданскими" in posts[70997].text
    for post in page.posts:
        assert post.text == post.text.strip()
        assert "  " not in post.text.replace("\xa0", "")  # no indentation of the re-indented file leaks in


def test_text_html_is_the_inner_markup_of_the_text_div(page: PreviewPage) -> None:
    post = next(p for p in page.posts if p.msg_id == 70996)
    assert 'href="https://t.me/yaremshooter"' in post.text_html
    assert "<br>" in post.text_html
    assert not post.text_html.startswith("<div")


def test_forwarded_post_has_name_and_link(page: PreviewPage) -> None:
    post = next(p for p in page.posts if p.msg_id == 70996)
    assert post.forwarded_from == "Военкор Ярем"
    assert post.forwarded_from_url == "https://t.me/yaremshooter/1066"
    assert next(p for p in page.posts if p.msg_id == 70990).forwarded_from_url is None


def test_media_only_post_has_empty_text_and_its_media(full_html: str) -> None:
    # The page has no media-only post, so make one: the photo post 70989 without its caption.
    start = full_html.index(
        '<div class="tgme_widget_message_text', full_html.index('data-post="topwar_official/70989"')
    )
    end = full_html.index("</div>", start) + len("</div>")
    page = parse_preview_page(full_html[:start] + full_html[end:])
    post = page.posts[0]
    assert post.msg_id == 70989
    assert post.text == "" and post.text_html == ""
    assert post.media == ["photo"]


def test_single_message_files() -> None:
    forwarded = parse_message_html(FORWARDED.read_text(encoding="utf-8"))
    assert forwarded is not None
    assert (forwarded.channel, forwarded.msg_id) == ("oper_goblin", 22358)
    assert forwarded.posted_at == datetime(2023, 2, 27, 7, 20, 50, tzinfo=UTC)
    assert forwarded.views == 214400
    assert forwarded.forwarded_from == "Пул N3"
    assert forwarded.forwarded_from_url == "https://t.me/dimsmirnov175/44604"
    assert forwarded.media == ["photo"]
    assert forwarded.text == "Британская разведка выяснила, почему Ким Чен Ын начал выводить дочку в свет"

    plain = parse_message_html(PLAIN.read_text(encoding="utf-8"))
    assert plain is not None
    assert (plain.channel, plain.msg_id, plain.views) == ("topwar_official", 70991, 33400)
    assert plain.forwarded_from is None and plain.media == []
    assert plain.text.startswith(
        "Неопознанный летающий объект замечен в 160 – 200 км от Петербурга\n\nПо данным «Фонтанки», такую"
    )
    assert plain.text.endswith("услышать их можно даже в центре: «Звуки как на параде».")
    assert plain.text.count("\n") == 4


def test_stored_widget_html_reparses_to_the_same_post(page: PreviewPage) -> None:
    for post in page.posts:
        assert parse_message_html(post.html) == post


def test_hash_ignores_views_but_sees_edits(full_html: str) -> None:
    base = {p.msg_id: p for p in parse_preview_page(full_html).posts}
    recounted = {p.msg_id: p for p in parse_preview_page(full_html.replace(">37.2K<", ">99.9K<")).posts}
    assert recounted[70989].views == 99900
    assert recounted[70989].content_sha256 == base[70989].content_sha256

    edited_html = full_html.replace("сообщает Baza.", "сообщает Baza (уточнено).")
    # The real marker: <span class="tgme_widget_message_meta">edited &nbsp;<a class="tgme_widget_message_date" …
    meta = edited_html.index('class="tgme_widget_message_meta">', edited_html.index("topwar_official/70989"))
    meta += len('class="tgme_widget_message_meta">')
    edited_html = edited_html[:meta] + "edited &nbsp;" + edited_html[meta:]
    edited = {p.msg_id: p for p in parse_preview_page(edited_html).posts}
    assert edited[70989].edited is True
    assert edited[70989].text.endswith(
        "сообщает Baza (уточнено).\nСудя по сервису Flightradar, гражданские "
        "самолеты не приближаются к Санкт-Петербургу."
    )
    assert edited[70989].content_sha256 != base[70989].content_sha256
    assert edited[70990].content_sha256 == base[70990].content_sha256


def _widget(inner: str, post: str = "chan/5") -> str:
    return (
        f'<div class="tgme_widget_message_wrap"><div class="tgme_widget_message js-widget_message" data-post="{post}">'
        f'<div class="tgme_widget_message_bubble">{inner}<div class="tgme_widget_message_footer">'
        '<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/chan/5">'
        '<time datetime="2026-05-10T20:54:00+03:00" class="time">20:54</time></a></span></div></div></div></div>'
    )


def test_emoji_reply_quotes_and_offsets() -> None:
    html = _widget(
        '<a class="tgme_widget_message_reply" href="https://t.me/chan/4"><div class="tgme_widget_message_text">'
        "quoted, not ours</div></a>"
        '<div class="tgme_widget_message_text js-message_text">🚨<i class="emoji" style="x"><b>🇮🇶</b></i> '
        '<tg-emoji emoji-id="1"><i class="emoji"><b>🔥</b></i></tg-emoji><tg-emoji emoji-id="2" alt="⭐"></tg-emoji>'
        "&lt;b&gt; &amp; a\xa0b  c<br/>line2</div>"
    )
    post = parse_message_html(html)
    assert post is not None
    assert post.text == "🚨🇮🇶 🔥⭐<b> & a\xa0b  c\nline2"
    assert post.posted_at == datetime(2026, 5, 10, 17, 54, tzinfo=UTC)  # +03:00 converted to UTC
    assert post.media == []


def test_media_kinds_and_hidden_forward_source() -> None:
    html = _widget(
        '<div class="tgme_widget_message_forwarded_from">Forwarded from <span '
        'class="tgme_widget_message_forwarded_from_name">Скрытый автор</span></div>'
        '<a class="tgme_widget_message_document_wrap" href="https://t.me/chan/5"></a>'
        '<div class="tgme_widget_message_poll"></div>'
        '<div class="tgme_widget_message_sticker_wrap"></div>'
        '<a class="tgme_widget_message_voice_player"><audio class="tgme_widget_message_voice"></audio></a>'
    )
    post = parse_message_html(html)
    assert post is not None
    assert post.media == ["document", "poll", "sticker", "voice"]
    assert (post.forwarded_from, post.forwarded_from_url) == ("Скрытый автор", None)
    assert post.text == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("37.2K", 37200),
        ("1.5M", 1500000),
        ("812", 812),
        ("4.85K", 4850),
        ("2B", 2_000_000_000),
        ("", None),
        ("n/a", None),
        (None, None),
    ],
)
def test_parse_count(raw: str | None, expected: int | None) -> None:
    assert parse_count(raw) == expected


@pytest.mark.parametrize("junk", ["", "   ", "junk", "<", "\x00\x01<div", "\ud800<p>", b"\xff\xfe\x00", "<html><body>"])
def test_junk_never_raises(junk: str | bytes) -> None:
    page = parse_preview_page(junk)
    assert page.posts == []
    assert page.is_channel_page is False
    assert parse_message_html(junk) is None


def test_unreadable_messages_are_skipped_with_a_reason(full_html: str) -> None:
    broken = full_html.replace('data-post="topwar_official/70990"', "", 1).replace(
        'datetime="2023-02-28T08:54:50+00:00"', 'datetime="yesterday"', 1
    )
    page = parse_preview_page(broken)
    assert [p.msg_id for p in page.posts] == [e[0] for e in EXPECTED if e[0] not in (70990, 70995)]
    assert len(page.errors) == 2
    assert "data-post" in page.errors[0]
    assert page.errors[1].startswith("topwar_official/70995") and "bad datetime" in page.errors[1]


def test_truncated_pages_yield_a_prefix_of_the_posts(full_html: str, page: PreviewPage) -> None:
    by_id = {p.msg_id: p for p in page.posts}
    seen_partial = False
    for cut in range(0, len(full_html), 3_001):
        partial = parse_preview_page(full_html[:cut])
        ids = [p.msg_id for p in partial.posts]
        assert ids == [e[0] for e in EXPECTED][: len(ids)]
        for post in partial.posts:
            assert post.posted_at == by_id[post.msg_id].posted_at
        seen_partial = seen_partial or (0 < len(ids) < 12)
    assert seen_partial


def test_not_found_page_is_not_a_channel_page() -> None:
    contact = (
        '<html><head><title>Telegram: Contact @nosuchchannel</title></head><body><div class="tgme_page">'
        '<div class="tgme_page_description">If you have <strong>Telegram</strong>, you can contact '
        '<a class="tgme_username_link" href="tg://resolve?domain=nosuchchannel">@nosuchchannel</a> right away.'
        "</div></div></body></html>"
    )
    page = parse_preview_page(contact)
    assert page.is_channel_page is False
    assert page.posts == [] and page.errors == [] and page.before is None


def test_empty_channel_history_is_still_a_channel_page() -> None:
    html = (
        '<html><head><link rel="canonical" href="/s/quiet_chan?before=10"></head><body>'
        '<main class="tgme_main" data-url="/quiet_chan"><section class="tgme_channel_history js-message_history">'
        "</section></main></body></html>"
    )
    page = parse_preview_page(html)
    assert page.is_channel_page is True
    assert page.channel == "quiet_chan"
    assert page.posts == [] and page.before is None and page.after is None
