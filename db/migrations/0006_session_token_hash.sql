-- Session tokens are stored as SHA-256 hashes (server/auth/session-tokens.ts): hash the ones stored before.
UPDATE "auth_sessions" SET "token" = 'sha256:' || encode(sha256(convert_to("token", 'UTF8')), 'hex') WHERE "token" NOT LIKE 'sha256:%';
