-- Raw versions landed since the last completed run (raw_document_id in (after, upto]): the latest version of each
-- document they belong to, unless core.documents already has it from this normalizer version. Only index ranges on
-- (source_id, raw_document_id) and (source_id, external_id): a re-run with nothing new reads nothing. A version whose
-- body retention blanked is not re-normalized (its core row stays as it was built). A Telegram post whose text the
-- crawl read with the running reader (body_text_version = text_version) comes with that text and without its HTML.
WITH touched AS (
    SELECT DISTINCT external_id
    FROM raw.documents
    WHERE source_id = %(source_id)s AND raw_document_id > %(after)s AND raw_document_id <= %(upto)s
)
SELECT r.raw_document_id, r.source_id, r.external_id, r.url, r.fetched_at, r.published_at,
       CASE WHEN r.body_text_version = %(text_version)s THEN NULL ELSE r.body END AS body,
       CASE WHEN r.body_text_version = %(text_version)s THEN r.body_text END AS body_text,
       r.meta, r.content_type, v.versions, s.kind AS source_kind
FROM touched t
CROSS JOIN LATERAL (
    SELECT max(raw_document_id) AS raw_document_id, count(*) AS versions
    FROM raw.documents
    WHERE source_id = %(source_id)s AND external_id = t.external_id
) v
JOIN raw.documents r ON r.raw_document_id = v.raw_document_id
JOIN ops.sources s ON s.source_id = r.source_id
LEFT JOIN core.documents d ON d.source_id = r.source_id AND d.external_id = r.external_id
WHERE r.body_pruned_at IS NULL
  AND (d.doc_id IS NULL
       OR d.raw_document_id <> r.raw_document_id
       OR d.normalizer_version <> %(normalizer_version)s)
ORDER BY r.published_at NULLS LAST, r.raw_document_id;
