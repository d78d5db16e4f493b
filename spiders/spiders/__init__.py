"""One spider per source kind, named for the kind (``telegram``, ``feed``, ``sitemap``, ``listing``): the crawl
asks Scrapy's spider loader for ``source.kind`` (``SPIDER_MODULES``), so the library never imports the spiders."""
