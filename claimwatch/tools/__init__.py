"""Developer and analyst tools outside the scheduled pipeline: the loopback replay site, JSON Lines extraction,
article extraction."""
