INSERT INTO ops.source_state (source_id, cursor, last_crawl_run_id)
VALUES (%(source_id)s, %(cursor)s, %(crawl_run_id)s)
ON CONFLICT (source_id) DO UPDATE
SET cursor = ops.source_state.cursor || EXCLUDED.cursor, updated_at = now(), last_crawl_run_id = EXCLUDED.last_crawl_run_id;
