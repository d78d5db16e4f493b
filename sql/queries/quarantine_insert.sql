INSERT INTO ops.quarantine (source_id, crawl_run_id, url, external_id, http_status, reason, content, content_sha256)
VALUES (%(source_id)s, %(crawl_run_id)s, %(url)s, %(external_id)s, %(http_status)s, %(reason)s, %(content)s,
        %(content_sha256)s)
ON CONFLICT (source_id, url, reason, coalesce(content_sha256, '')) DO NOTHING;
