/* nested /* comments */ are fine ; */
CREATE TABLE "Users" (id bigserial PRIMARY KEY, tags text[] DEFAULT '{}', j jsonb DEFAULT '{"a":";"}');
CREATE INDEX CONCURRENTLY users_tags ON "Users" USING gin (tags);
ALTER TYPE mood ADD VALUE 'meh';
COMMENT ON TABLE "Users" IS 'people; mostly';
