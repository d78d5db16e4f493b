-- Record the validators of fetched feeds, sitemaps, listing pages and articles, one set-based upsert per crawl.
-- A row that stands for a document (document_id = the article's canonical URL) is written only when that document
-- is in the warehouse: landed in raw.documents (this content version, or any version for a 304 revisit; by any
-- source, since an article's URL is global) or held in ops.quarantine. So a crash between fetching and landing can never leave a "fetched recently" mark on an article
-- that is not there, and the next run fetches it again.
-- A 304 keeps the stored validators and hash (it has no body) but moves fetched_at: the revisit window restarts.
INSERT INTO ops.http_cache AS c (source_id, url, etag, last_modified, content_sha256, http_status, fetched_at)
SELECT DISTINCT ON (v.url)
       %(source_id)s, v.url, v.etag, v.last_modified, v.content_sha256, v.http_status, v.fetched_at
FROM unnest(
        %(urls)s::text[], %(etags)s::text[], %(last_modified)s::text[], %(content_sha256)s::text[],
        %(http_status)s::integer[], %(fetched_at)s::timestamptz[], %(document_ids)s::text[]
     ) AS v(url, etag, last_modified, content_sha256, http_status, fetched_at, document_id)
WHERE v.document_id IS NULL
   OR EXISTS (
        SELECT 1 FROM raw.documents AS d
        WHERE d.external_id = v.document_id
          AND (v.content_sha256 IS NULL OR d.content_sha256 = v.content_sha256)
   )
   OR EXISTS (
        SELECT 1 FROM ops.quarantine AS q
        WHERE q.source_id = %(source_id)s AND q.external_id = v.document_id
   )
ORDER BY v.url, v.fetched_at DESC
ON CONFLICT (source_id, url) DO UPDATE
SET etag           = CASE WHEN EXCLUDED.http_status = 304 THEN COALESCE(EXCLUDED.etag, c.etag) ELSE EXCLUDED.etag END,
    last_modified  = CASE WHEN EXCLUDED.http_status = 304 THEN COALESCE(EXCLUDED.last_modified, c.last_modified)
                          ELSE EXCLUDED.last_modified END,
    content_sha256 = COALESCE(EXCLUDED.content_sha256, c.content_sha256),
    http_status    = EXCLUDED.http_status,
    fetched_at     = EXCLUDED.fetched_at
WHERE c.fetched_at <= EXCLUDED.fetched_at;
