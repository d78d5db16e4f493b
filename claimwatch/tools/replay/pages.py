"""The t.me markup: message widgets, preview pages and the "Contact @name" page, as the real site writes them."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from claimwatch.tools.replay.corpus import Channel, posted_at

USERNAME = re.compile(r"^[A-Za-z0-9_]{3,64}$")
# One token of message text that Telegram marks up: a URL, a hashtag, a mention or an emoji cluster.
_EMOJI_BASE = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u2300-\u23ff\u203c\u2049"
TOKEN = re.compile(
    r"(?P<url>https?://[^\s<>\"]+)"
    r"|(?P<tag>(?<!\w)#\w+)"
    r"|(?P<mention>(?<!\w)@[A-Za-z0-9_]{4,32})"
    rf"|(?P<emoji>[\U0001f1e6-\U0001f1ff]{{2}}|[{_EMOJI_BASE}](?:[\ufe0f\U0001f3fb-\U0001f3ff]|\u200d[{_EMOJI_BASE}])*)"
)
TAIL_SVG = (
    '<svg class="bubble_icon" width="9px" height="20px" viewBox="0 0 9 20"><g fill="none">'
    '<path class="background" fill="#ffffff" d="M8,1 L9,1 L9,20 L8,20 L8,18 C7.8,15.2 7.1,12.2 5.9,9.2 '
    'C5,6.9 3.5,4.7 1.3,2.7 C0.9,2.4 0.9,1.7 1.3,1.3 C1.5,1.1 1.7,1 2,1 Z"></path></g></svg>'
)
MEDIA_TEMPLATES: dict[str, str] = {
    "photo": (
        '<a class="tgme_widget_message_photo_wrap" href="{url}" style="width:800px;background-image:'
        'url(\'https://cdn.replay.invalid/file/{id}.jpg\')"><div class="tgme_widget_message_photo" '
        'style="padding-top:56.25%"></div></a>'
    ),
    "video": (
        '<a class="tgme_widget_message_video_player js-message_video_player" href="{url}">'
        '<i class="tgme_widget_message_video_thumb" style="background-image:url(\'https://cdn.replay.invalid/'
        'file/{id}-thumb.jpg\')"></i><div class="tgme_widget_message_video_wrap" style="width:800px;'
        'padding-top:56.25%"><video src="https://cdn.replay.invalid/file/{id}.mp4" class="tgme_widget_message_'
        'video js-message_video" width="100%" height="100%"></video></div><div class="message_video_play '
        'js-message_video_play"></div><time class="message_video_duration js-message_video_duration">0:16'
        "</time></a>"
    ),
    "document": (
        '<a class="tgme_widget_message_document_wrap" href="{url}"><div class="tgme_widget_message_document_icon'
        ' accent_bg"></div><div class="tgme_widget_message_document"><div class="tgme_widget_message_document_'
        'title accent_color" dir="auto">document-{id}.pdf</div><div class="tgme_widget_message_document_extra"'
        ' dir="auto">1.2 MB</div></div></a>'
    ),
    "voice": (
        '<a class="tgme_widget_message_voice_player js-message_voice_player" href="{url}"><audio class="tgme_'
        'widget_message_voice js-message_voice" src="https://cdn.replay.invalid/file/{id}.ogg"></audio><time '
        'class="tgme_widget_message_voice_duration js-message_voice_duration">0:42</time></a>'
    ),
    "poll": (
        '<div class="tgme_widget_message_poll js-poll"><div class="tgme_widget_message_poll_question" '
        'dir="auto">?</div><div class="tgme_widget_message_poll_type">Anonymous poll</div></div>'
    ),
    "sticker": (
        '<div class="tgme_widget_message_sticker_wrap media_supported_cont"><i class="tgme_widget_message_'
        'sticker js-sticker_image" style="background-image:url(\'https://cdn.replay.invalid/file/{id}.webp\')">'
        "</i></div>"
    ),
    "link_preview": (
        '<a class="tgme_widget_message_link_preview" href="https://example.invalid/{id}"><div class="link_'
        'preview_site_name accent_color" dir="auto">example.invalid</div><div class="link_preview_title" '
        'dir="auto">Link {id}</div></a>'
    ),
}


def format_views(views: Any) -> str | None:
    """Corpus views are already Telegram's strings ("17.3K"); numbers are abbreviated the way Telegram does."""
    if views is None or views == "":
        return None
    if isinstance(views, int | float):
        for size, suffix in ((1_000_000, "M"), (1_000, "K")):
            if views >= size:
                return f"{views / size:.1f}".rstrip("0").rstrip(".") + suffix
        return str(int(views))
    return str(views)


def escape(text: str) -> str:
    """HTML-escape text for markup and attribute values, as Telegram does."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def text_html(text: str) -> str:
    """Message text as Telegram marks it up: escaped, ``<br/>`` for newlines, links and emoji wrapped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    position = 0
    for match in TOKEN.finditer(text):
        out.append(escape(text[position : match.start()]))
        token = match.group(0)
        if match.lastgroup == "url":
            out.append(f'<a href="{escape(token)}" target="_blank" rel="noopener">{escape(token)}</a>')
        elif match.lastgroup == "tag":
            out.append(f'<a href="?q={quote(token)}">{escape(token)}</a>')
        elif match.lastgroup == "mention":
            out.append(f'<a href="https://t.me/{token[1:]}" target="_blank">{token}</a>')
        else:
            code = token.encode("utf-8").hex().upper()
            out.append(
                f'<i class="emoji" style="background-image:url(\'//telegram.org/img/emoji/40/{code}.png\')">'
                f"<b>{token}</b></i>"
            )
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out).replace("\n", "<br/>")


def render_message(post: dict[str, Any], title: str | None = None) -> str:
    """One post as the preview's message widget (``div.tgme_widget_message_wrap``)."""
    channel = str(post["channel"])
    msg_id = int(post["msg_id"])
    url = f"https://t.me/{channel}/{msg_id}"
    posted = posted_at(str(post["posted_at"]))
    name = escape(title or str(post.get("channel_title") or channel))
    parts = [
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{channel}/{msg_id}">'
        f'<div class="tgme_widget_message_user"><a href="https://t.me/{channel}"><i class="tgme_widget_message_'
        f'user_photo bgcolor{msg_id % 8}" data-content="{name[:1]}"></i></a></div>\n'
        '<div class="tgme_widget_message_bubble">'
        f'<i class="tgme_widget_message_bubble_tail">{TAIL_SVG}</i>\n'
        '<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" '
        f'href="https://t.me/{channel}"><span dir="auto">{name}</span></a></div>\n'
    ]
    forwarded = post.get("forwarded_from")
    if forwarded:
        source = f'<span dir="auto">{escape(str(forwarded))}</span>'
        link = post.get("forwarded_from_url")
        if link:
            source = f'<a class="tgme_widget_message_forwarded_from_name" href="{escape(str(link))}">{source}</a>'
        else:  # a source that hides its channel: a name without a link
            source = f'<span class="tgme_widget_message_forwarded_from_name">{source}</span>'
        parts.append(
            f'<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from&nbsp;{source}</div>\n'
        )
    for kind in post.get("media") or []:
        template = MEDIA_TEMPLATES.get(str(kind))
        if template is None:
            template = (
                '<div class="message_media_not_supported_wrap"><div class="message_media_not_supported">'
                '<div class="message_media_not_supported_label">Media is too big</div></div></div>'
            )
        parts.append(template.format(url=url, id=msg_id) + "\n")
    text = str(post.get("text") or "")
    if text:
        parts.append(f'<div class="tgme_widget_message_text js-message_text" dir="auto">{text_html(text)}</div>\n')
    views = format_views(post.get("views"))
    views_html = (
        f'<span class="tgme_widget_message_views">{escape(views)}</span><span class="copyonly"> views</span>'
        if views
        else ""
    )
    edited = "edited &nbsp;" if post.get("edited") else ""
    parts.append(
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        f'<div class="tgme_widget_message_info short js-message_info">{views_html}'
        f'<span class="tgme_widget_message_meta">{edited}<a class="tgme_widget_message_date" href="{url}">'
        f'<time datetime="{posted.isoformat()}" class="time">{posted:%H:%M}</time></a></span></div></div>\n'
        "</div></div></div>\n"
    )
    return "".join(parts)


def page_html(channel: Channel, widgets: Sequence[str], before: int | None, after: int | None, canonical: str) -> str:
    """A whole preview page around pre-rendered widgets, with the paging links where there is more."""
    name, title = channel.name, escape(channel.title)
    head_links = []
    if before is not None:
        head_links.append(f'<link rel="prev" href="/s/{name}?before={before}">')
    if after is not None:
        head_links.append(f'<link rel="next" href="/s/{name}?after={after}">')
    head_links.append(f'<link rel="canonical" href="{escape(canonical)}">')
    more_before = (
        '<div class="tgme_widget_message_centered js-messages_more_wrap">'
        f'<a href="/s/{name}?before={before}" class="tme_messages_more js-messages_more" '
        f'data-before="{before}"></a></div>\n'
        if before is not None
        else ""
    )
    more_after = (
        '<div class="tgme_widget_message_centered js-messages_more_wrap">'
        f'<a href="/s/{name}?after={after}" class="tme_messages_more js-messages_more" '
        f'data-after="{after}"></a></div>\n'
        if after is not None
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title} – Telegram</title>\n"
        f'<meta property="og:title" content="{title}">\n<meta property="og:site_name" content="Telegram">\n'
        f'<meta property="al:android:url" content="tg://resolve?domain={name}">\n'
        + "\n".join(head_links)
        + "\n</head>\n"
        '<body class="widget_frame_base tgme_webpreview emoji_image thin_box_shadow tme_mode no_transitions">\n'
        '<header class="tgme_header search_collapsed"><div class="tgme_container"><div class="tgme_header_right_'
        'column"><section class="tgme_right_column"><div class="tgme_channel_info"><div class="tgme_channel_info_'
        f'header"><div class="tgme_channel_info_header_title"><span dir="auto">{title}</span></div>'
        f'<div class="tgme_channel_info_header_username"><a href="https://t.me/{name}">@{name}</a></div></div>'
        "</div></section></div></div></header>\n"
        f'<main class="tgme_main" data-url="/{name}">\n<div class="tgme_container">\n'
        '<section class="tgme_channel_history js-message_history">\n'
        + more_before
        + "".join(widgets)
        + more_after
        + "</section>\n</div>\n</main>\n</body>\n</html>\n"
    )


def contact_page(name: str, known: bool) -> str:
    """t.me/<name>: what Telegram shows for a name whose preview cannot be shown (or, for a channel, its card)."""
    safe = escape(name)
    preview = (
        f'<div class="tgme_page_context_link_wrap"><a class="tgme_page_context_link" href="/s/{safe}">'
        "Preview channel</a></div>"
        if known
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>Telegram: Contact @{safe}</title>\n"
        f'<meta property="og:title" content="Telegram: Contact @{safe}">\n'
        '<meta property="og:site_name" content="Telegram">\n</head>\n<body>\n<div class="tgme_page_wrap">'
        '<div class="tgme_body_wrap"><div class="tgme_page">'
        f'<div class="tgme_page_title"><span dir="auto">Telegram: Contact @{safe}</span></div>'
        '<div class="tgme_page_description">If you have <strong>Telegram</strong>, you can contact '
        f'<a class="tgme_username_link" href="tg://resolve?domain={safe}">@{safe}</a> right away.</div>'
        f"{preview}</div></div></div>\n</body>\n</html>\n"
    )
