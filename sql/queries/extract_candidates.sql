-- Documents whose claims are missing or came from another extractor version (or from an older text), with the
-- voice of their source (the registry's `voice`: the source is that actor's own outlet). The version test is
-- written as three index ranges on (extractor_version, source_id) (IS NULL, below, above) rather than IS DISTINCT
-- FROM, which no index serves: a re-run with nothing new reads no document.
SELECT d.doc_id, d.raw_document_id, d.text, d.published_at, d.language, s.config ->> 'voice' AS voice
FROM core.documents d
LEFT JOIN ops.sources s ON s.source_id = d.source_id
WHERE (%(source_id)s::text IS NULL OR d.source_id = %(source_id)s)
  AND (d.extractor_version IS NULL
       OR d.extractor_version < %(extractor_version)s
       OR d.extractor_version > %(extractor_version)s)
ORDER BY d.doc_id;
