-- Retention for one source (its raw_retention_days in the registry; none: nothing happens). See migration 010.
SELECT raw.prune_payloads(%(source_id)s);
