-- A completed normalize run covered every raw row of the source up to upto.
INSERT INTO ops.transform_watermarks (step, source_id, raw_document_id, code_version)
VALUES ('normalize', %(source_id)s, %(upto)s, %(normalizer_version)s)
ON CONFLICT (step, source_id) DO UPDATE
SET raw_document_id = EXCLUDED.raw_document_id, code_version = EXCLUDED.code_version, updated_at = now();
