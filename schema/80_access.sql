-- What the application role may do. The role is cluster-wide, created outside the schema
-- (scripts/quickstart does: CREATE ROLE federation_app NOLOGIN).
GRANT USAGE ON SCHEMA public TO federation_app;
GRANT SELECT ON countries, cities, federations, leagues, clubs, athletes, tournaments, events,
    entries, results, rankings TO federation_app;
GRANT SELECT, INSERT, UPDATE ON users, athletes, entries TO federation_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON password_reset_tokens TO federation_app;
GRANT EXECUTE ON FUNCTION refresh_rankings() TO federation_app;
REVOKE EXECUTE ON FUNCTION refresh_rankings() FROM PUBLIC;

-- Users see and edit their own account; admins see everyone.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_self ON users
    USING (id = current_app_user()
           OR EXISTS (SELECT 1 FROM users AS a WHERE a.id = current_app_user() AND a.is_admin));

-- Tokens belong to their user.
ALTER TABLE password_reset_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY tokens_owner ON password_reset_tokens
    USING (user_id = current_app_user());

-- Athletes are public; only the athlete's own user may change the row.
ALTER TABLE athletes ENABLE ROW LEVEL SECURITY;
CREATE POLICY athletes_read ON athletes FOR SELECT USING (true);
CREATE POLICY athletes_edit_own ON athletes FOR UPDATE
    USING (user_id = current_app_user())
    WITH CHECK (user_id = current_app_user());

-- Entries: an athlete enters themselves, while the event is open.
ALTER TABLE entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY entries_read ON entries FOR SELECT USING (true);
CREATE POLICY entries_enter_self ON entries FOR INSERT TO federation_app
    WITH CHECK (
        status = 'pending'
        AND athlete_id IN (SELECT id FROM athletes WHERE user_id = current_app_user())
        AND EXISTS (SELECT 1 FROM events e WHERE e.id = event_id AND e.status = 'scheduled')
    );
