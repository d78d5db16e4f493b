-- Ask the next events step to rebuild the marts in full (after reprocess re-extracted documents).
UPDATE ops.marts_state SET rebuild_due = true, updated_at = now() WHERE NOT rebuild_due;
