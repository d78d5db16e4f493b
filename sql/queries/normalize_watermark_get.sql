-- Where normalize starts for a source: above its watermark when the same normalizer version set it, else from zero;
-- and up to the newest raw row now (rows landing during the run are the next run's).
SELECT coalesce((SELECT raw_document_id FROM ops.transform_watermarks
                 WHERE step = 'normalize' AND source_id = %(source_id)s AND code_version = %(normalizer_version)s), 0)
           AS after,
       coalesce((SELECT max(raw_document_id) FROM raw.documents WHERE source_id = %(source_id)s), 0) AS upto;
