"""Scrapy settings of the claimwatch project: polite by default, tuned per source from the registry.

Behaviour changes by settings, not by editing spiders: ``claimwatch.ingest.crawl.scrapy_settings`` maps a
registry entry's ``politeness`` table onto these names, over these defaults.
"""

from __future__ import annotations

from claimwatch import __version__
from claimwatch.config import warehouse_reconnect_seconds

BOT_NAME = "claimwatch"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"

# Identify ourselves honestly; operators can reach us through the project page.
USER_AGENT = f"claimwatch/{__version__} (+https://github.com/claimwatch/claimwatch; conflict-research crawler)"
ROBOTSTXT_OBEY = True

# Politeness defaults (a registry entry may loosen them for loopback replay, or tighten them).
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% around DOWNLOAD_DELAY, so requests do not tick like a metronome
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5_000_000
DOWNLOAD_WARNSIZE = 2_000_000

# 429 and 5xx are retried with backoff (Retry-After when the server sends one).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
    "spiders.middlewares.ConditionalGetMiddleware": 560,  # validators from ops.http_cache on news requests
    "spiders.middlewares.OffsiteRedirectMiddleware": 650,  # sees a 3xx before RedirectMiddleware (600) follows it
}

# Feeds, sitemaps and articles use their own conditional-GET state in the warehouse, not Scrapy's cache.
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
REDIRECT_MAX_TIMES = 5

# Scrapy 2.19 starts a telnet console and a code-executing HTTP remote control by default: never here.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
}

ITEM_PIPELINES = {"spiders.pipelines.WarehousePipeline": 300}
WAREHOUSE_BATCH_SIZE = 500
# A warehouse that restarts or fails over mid-crawl is reconnected to for this long before the run fails.
WAREHOUSE_RECONNECT_TIMEOUT = warehouse_reconnect_seconds()

# Scrapy re-reads and re-parses a callback's source on every response to warn about `return value` in
# generators (its cache is keyed by short-lived bound methods): a third of a Telegram crawl's CPU. Our callbacks
# are linted instead.
WARN_ON_GENERATOR_RETURN_VALUE = False

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
