-- People who sign in.
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email citext NOT NULL UNIQUE,
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
    password_hash text NOT NULL,
    is_admin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS 'Accounts that can sign in';

CREATE TABLE password_reset_tokens (
    token uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    CHECK (used_at IS NULL OR used_at <= expires_at)
);
-- At most one unused token per user.
CREATE UNIQUE INDEX password_reset_tokens_one_open ON password_reset_tokens (user_id) WHERE used_at IS NULL;
