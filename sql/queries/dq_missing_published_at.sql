-- Documents without a publication time cannot be dated; expected 0 for Telegram posts.
SELECT 0 AS expected, count(*) AS observed
FROM core.documents WHERE source_id = %(source_id)s AND doc_type = 'telegram_post' AND published_at IS NULL;
