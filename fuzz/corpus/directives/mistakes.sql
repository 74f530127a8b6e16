-- strata depends-on 3
-- strata: irreversible
-- strata:depend-on 2
-- strata:no-transaction now
-- strata:depends-on x, 99999999999999999999, 4_
SELECT 1;
-- strata:irreversible
