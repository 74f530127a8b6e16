
-- strata:irreversible
-- strata:backward-compatible
-- strata:no-dry-run
--   a note
-- no-transaction
SELECT 1;
