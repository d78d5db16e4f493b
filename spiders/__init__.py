"""The claimwatch Scrapy project: one spider per source kind, configured from the source registry.

Spiders say how to walk a site (``spiders/``, one per source kind, named for it), pipelines say where it
goes (``pipelines``: the warehouse), settings say how politely (``settings``, tuned per source by
``claimwatch.ingest.crawl.scrapy_settings``). What they yield is the library's (``claimwatch.ingest.items``):
the spiders depend on the library, never the reverse.
"""
