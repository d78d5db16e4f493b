-- Take the marts for this transaction (one writer at a time: the events step, a review's settle) and say whether
-- they are due a full rebuild.
SELECT rebuild_due FROM ops.marts_state FOR UPDATE;
