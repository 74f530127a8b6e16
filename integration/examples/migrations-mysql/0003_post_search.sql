-- strata:depends-on 0002_create_posts
-- Full-text search over posts.
CREATE FULLTEXT INDEX posts_search ON posts (title, body);
