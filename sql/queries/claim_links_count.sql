SELECT link_type, count(*) FROM core.claim_links GROUP BY 1;
