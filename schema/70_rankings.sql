-- Season rankings: points per athlete, league and season, ranked within the league.
CREATE MATERIALIZED VIEW rankings AS
SELECT t.league_id,
       t.season,
       r.athlete_id,
       sum(r.points) AS points,
       count(*) AS events,
       rank() OVER (PARTITION BY t.league_id, t.season ORDER BY sum(r.points) DESC) AS position
FROM results r
JOIN events e ON e.id = r.event_id
JOIN tournaments t ON t.id = e.tournament_id
WHERE e.status = 'finished'
GROUP BY t.league_id, t.season, r.athlete_id
WITH NO DATA;

-- REFRESH MATERIALIZED VIEW CONCURRENTLY needs a unique index.
CREATE UNIQUE INDEX rankings_key ON rankings (league_id, season, athlete_id);
CREATE INDEX rankings_position ON rankings (league_id, season, position);

-- Called by the results importer; runs as the owner so the application role need not own
-- the view.
CREATE FUNCTION refresh_rankings() RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = public, pg_temp
AS $$ REFRESH MATERIALIZED VIEW rankings $$;
