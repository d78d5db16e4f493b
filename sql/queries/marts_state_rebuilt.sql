-- The marts were just rebuilt in full (same transaction as the rebuild).
UPDATE ops.marts_state SET rebuild_due = false, rebuilt_at = now(), updated_at = now();
