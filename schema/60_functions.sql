-- Helpers the application and the policies call.

-- Keeps updated_at honest on every UPDATE (see the triggers below).
CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- The signed-in user, as the application sets it per transaction:
--   SET LOCAL app.user_id = '42';
CREATE FUNCTION current_app_user() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('app.user_id', true), '')::bigint;

-- Age in whole years on a given day (eligibility rules use the age on the event's day).
CREATE FUNCTION athlete_age(born_on date, on_day date DEFAULT current_date) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN extract(year FROM age(on_day, born_on))::integer;

CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER clubs_updated_at BEFORE UPDATE ON clubs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER athletes_updated_at BEFORE UPDATE ON athletes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
