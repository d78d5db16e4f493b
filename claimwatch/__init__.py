"""claimwatch: scrape militia attack claims and news reports into a PostgreSQL warehouse."""

__version__ = "0.1.0"
