DROP INDEX posts_user_id;
DROP TABLE posts;
