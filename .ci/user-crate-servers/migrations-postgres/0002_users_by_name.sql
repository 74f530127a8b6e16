-- strata:no-transaction
CREATE INDEX CONCURRENTLY users_by_name ON users (name);
