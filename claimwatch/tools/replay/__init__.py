"""A loopback stand-in for ``t.me``: serves JSON Lines corpora of channel posts as real-looking preview pages.

Spiders, tests and benchmarks crawl this server instead of Telegram, so they run offline, repeatably and as fast
as the machine allows. The pages mirror the real preview markup (``../shared/corpus/telegram/any2feed_full.html``):
message widgets with ``data-post``, the text div with ``<br/>`` line breaks, HTML-escaped text, emoji wrapped in
``i.emoji`` as Telegram does, linkified URLs and hashtags, ``time[datetime]`` in ``+00:00`` form, views, the
forwarded-from block, the "edited" marker, the ``tme_messages_more`` links and ``<link rel=prev/next/canonical>``.
A parser written for the real site reads them, and a post's text round-trips exactly.

Routes:

* ``/s/<channel>`` the newest ``page_size`` posts; ``?before=N`` the ``page_size`` posts with id < N;
  ``?after=N`` the ``page_size`` posts with id > N (oldest first, as Telegram does).
* ``/s/<unknown>`` → ``302`` to ``/<unknown>``, which is what t.me does for a channel that does not exist or has
  its preview disabled; ``/<name>`` then answers ``200`` with Telegram's "Contact @name" page (no posts), so a
  spider sees what it would see live: a redirect followed by a page that is not a channel preview.
* ``/robots.txt`` allows everything (a ``robots.txt`` in the static site wins, so a test can forbid paths).
* Everything else comes from the static site directory (``--site DIR``), with ``ETag`` / ``Last-Modified`` and
  ``304`` answers; a sidecar ``<file>.headers`` JSON file (``{"status": 403, "headers": {...}}``) overrides the
  status and headers, e.g. to serve a wrong ``Content-Type``.

Corpus lines: ``channel, msg_id, posted_at`` (ISO-8601, UTC when no offset), ``text``, ``views`` (``"17.3K"``, an
int, or null), ``forwarded_from`` (or null); optional ``edited`` (bool), ``forwarded_from_url``, ``media`` (list of
kinds: photo, video, document, voice, poll, sticker, link_preview) and ``channel_title``. A ``msg_id`` seen twice
keeps the later line: that is how a test simulates an edit.

Faults (:class:`Fault`, CLI ``--fault``) make chosen requests fail in the ways a crawler must survive.

The package: ``corpus`` (reading the JSON Lines), ``pages`` (t.me markup), ``static_site`` (files with
``ETag``/``Last-Modified`` and ``304``), ``faults``, ``server`` (routing and the HTTP server) and ``cli``
(``claimwatch replay``, also ``python -m claimwatch.tools.replay``).
"""

from __future__ import annotations

from claimwatch.tools.replay.cli import main
from claimwatch.tools.replay.corpus import load_corpus
from claimwatch.tools.replay.faults import Fault
from claimwatch.tools.replay.pages import render_message
from claimwatch.tools.replay.server import ReplayServer

__all__ = ["Fault", "ReplayServer", "load_corpus", "main", "render_message"]
