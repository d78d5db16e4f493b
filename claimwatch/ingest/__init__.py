"""Crawl time: one crawl per process, landing raw documents exactly once, cursors, the HTTP cache, and the
items the spiders yield."""
