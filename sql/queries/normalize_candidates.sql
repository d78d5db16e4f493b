-- Latest raw version of each document of a source that core.documents does not have yet, has from an older
-- version, or built with another normalizer version.
WITH latest AS (
    SELECT DISTINCT ON (external_id) raw_document_id, external_id
    FROM raw.documents
    WHERE source_id = %(source_id)s
    ORDER BY external_id, raw_document_id DESC
), versions AS (
    SELECT external_id, count(*) AS versions
    FROM raw.documents
    WHERE source_id = %(source_id)s
    GROUP BY external_id
)
SELECT r.raw_document_id, r.source_id, r.external_id, r.url, r.fetched_at, r.published_at, r.body, r.meta,
       r.content_type, v.versions, s.kind AS source_kind
FROM latest l
JOIN raw.documents r USING (raw_document_id)
JOIN versions v ON v.external_id = l.external_id
JOIN ops.sources s ON s.source_id = r.source_id
LEFT JOIN core.documents d ON d.source_id = r.source_id AND d.external_id = r.external_id
WHERE d.doc_id IS NULL
   OR d.raw_document_id <> r.raw_document_id
   OR d.normalizer_version <> %(normalizer_version)s
ORDER BY r.published_at NULLS LAST, r.raw_document_id;
