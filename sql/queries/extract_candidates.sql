-- Documents whose claims are missing or came from another extractor version (or from an older text).
SELECT doc_id, raw_document_id, text, published_at, language
FROM core.documents
WHERE (%(source_id)s::text IS NULL OR source_id = %(source_id)s)
  AND extractor_version IS DISTINCT FROM %(extractor_version)s
ORDER BY doc_id;
