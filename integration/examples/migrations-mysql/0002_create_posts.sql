-- Posts belong to users; deleting a user deletes their posts. MySQL commits DDL as it goes:
-- strata runs this migration under a dirty row, so a failure half-way is reported, not hidden.
CREATE TABLE posts (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    title VARCHAR(255) NOT NULL,
    body TEXT NOT NULL,
    CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX posts_user_id ON posts (user_id);
