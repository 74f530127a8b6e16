DROP INDEX posts_search ON posts;
