-- strata:no-transaction
-- strata:depends-on 0002_create_posts
-- Full-text search over posts. Built without locking writes, which PostgreSQL only does
-- outside a transaction: strata runs this one under a dirty row until it finishes.
CREATE INDEX CONCURRENTLY posts_search ON posts USING GIN (search);
