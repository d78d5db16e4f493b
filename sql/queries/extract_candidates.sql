-- Documents whose claims are missing or came from another extractor version (or from an older text), with the
-- voice of their source (the registry's `voice`: the source is that actor's own outlet).
SELECT d.doc_id, d.raw_document_id, d.text, d.published_at, d.language, s.config ->> 'voice' AS voice
FROM core.documents d
LEFT JOIN ops.sources s ON s.source_id = d.source_id
WHERE (%(source_id)s::text IS NULL OR d.source_id = %(source_id)s)
  AND d.extractor_version IS DISTINCT FROM %(extractor_version)s
ORDER BY d.doc_id;
