INSERT INTO ops.sources (source_id, kind, config, enabled)
VALUES (%(source_id)s, %(kind)s, %(config)s, %(enabled)s)
ON CONFLICT (source_id) DO UPDATE
SET kind = EXCLUDED.kind, config = EXCLUDED.config, enabled = EXCLUDED.enabled, updated_at = now()
WHERE (ops.sources.kind, ops.sources.config, ops.sources.enabled)
      IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.config, EXCLUDED.enabled);
