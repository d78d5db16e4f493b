"""The claimwatch Scrapy project: one spider per source kind, configured from the source registry.

Items say what is scraped (``items``), spiders say how to walk a site (``spiders/``), pipelines say
where it goes (``pipelines``: the warehouse), settings say how politely (``settings``, tuned per source
by :func:`spiders.settings.settings_for`).
"""
