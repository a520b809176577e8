/// The portal's lab records in the catalogue, and reserved (pre-started) labs.
///
/// - `lab_records` holds what a backend needs to reach a lab again and the learner's progress as grading keeps
///   it (nalabo's session record, JSON), with its workshop's canonical bundle. Keeping them here rather than in
///   one process's files lets every portal process on the catalogue serve every lab. The portal writes them as
///   `nalabo_authenticator`; a learner's role reads only the records of its own sessions.
/// - A reserved lab is a record started ahead for an event's workshop (`session_id` NULL, `claimable_until`
///   set). `claim_reserved_lab` gives the oldest ready one to a learner's new event session, skipping rows
///   another transaction holds, so two learners never get the same lab; `reserves_wanted` says how many each
///   event workshop lacks (within the event's capacity), `stale_reserves` which to recycle.
/// - Authenticating a request no longer writes: a web session's `last_seen` and a token's `last_used_at` are
///   moved on only when they are 30 seconds old, so concurrent requests with one credential neither queue on
///   its row nor each wait for a WAL flush (idle expiry stays exact to 30 s).
enum SchemaV4 {
    static let sql = #"""
    CREATE TABLE nalabo.lab_records (
        id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{10}$'),
        session_id uuid UNIQUE REFERENCES nalabo.workshop_sessions (id),
        event_id bigint REFERENCES nalabo.events (id),
        version_id bigint REFERENCES nalabo.workshop_versions (id),
        record jsonb NOT NULL CHECK (jsonb_typeof(record) = 'object'),
        bundle text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- Set while the lab is a reserve nobody has claimed: after this it is recycled, not claimed.
        claimable_until timestamptz,
        CHECK (claimable_until IS NULL OR (event_id IS NOT NULL AND version_id IS NOT NULL AND session_id IS NULL))
    );
    CREATE INDEX lab_records_reserves ON nalabo.lab_records (event_id, version_id, created_at) WHERE claimable_until IS NOT NULL;
    ALTER TABLE nalabo.lab_records ENABLE ROW LEVEL SECURITY;
    CREATE POLICY lab_records_portal ON nalabo.lab_records TO nalabo_authenticator USING (true) WITH CHECK (true);
    CREATE POLICY lab_records_own ON nalabo.lab_records FOR SELECT TO nalabo_user
        USING (EXISTS (SELECT 1 FROM nalabo.workshop_sessions s WHERE s.id = session_id AND s.learner_id = (SELECT nalabo.my_id())));
    GRANT SELECT, INSERT, UPDATE, DELETE ON nalabo.lab_records TO nalabo_authenticator;
    GRANT SELECT (id, session_id, record, bundle, created_at) ON nalabo.lab_records TO nalabo_user;

    -- The version an event's workshop starts now: its pinned version, else the newest live one.
    CREATE FUNCTION nalabo.event_workshop_version(ew nalabo.event_workshops) RETURNS bigint
        LANGUAGE sql STABLE SET search_path = nalabo, pg_temp AS $$
        SELECT v.id FROM nalabo.workshop_versions v
        WHERE v.workshop_id = ew.workshop_id AND v.yanked_at IS NULL AND (ew.version IS NULL OR v.version = ew.version)
        ORDER BY v.version_order DESC LIMIT 1
    $$;

    -- Gives the caller's new event session a reserved lab of its event and version, if one is ready; returns the
    -- lab record's id, or NULL (the portal then starts a lab itself).
    CREATE FUNCTION nalabo.claim_reserved_lab(p_session uuid) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        s nalabo.workshop_sessions := nalabo.my_active_session(p_session);
        claimed text;
    BEGIN
        IF s.event_id IS NULL OR EXISTS (SELECT 1 FROM nalabo.lab_records WHERE session_id = p_session) THEN
            RETURN NULL;
        END IF;
        UPDATE nalabo.lab_records SET session_id = p_session, claimable_until = NULL
            WHERE id = (SELECT id FROM nalabo.lab_records
                        WHERE event_id = s.event_id AND version_id = s.version_id AND session_id IS NULL
                          AND claimable_until > now() AND record->>'status' = 'ready'
                        ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id INTO claimed;
        RETURN claimed;
    END $$;

    -- How many reserved labs each open event's workshop lacks: up to `reserved` per workshop, and never more
    -- than the event's capacity leaves after its running sessions and the reserves it has. With each, the
    -- version's bundle (the portal starts the labs; the authenticator cannot read versions itself).
    CREATE FUNCTION nalabo.reserves_wanted()
        RETURNS TABLE (event text, version_id bigint, address text, digest text, bundle text, missing integer,
                       session_seconds integer, deadline_seconds integer)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        RETURN QUERY
        WITH open_events AS (
            SELECT e.*,
                   (SELECT count(*) FROM nalabo.workshop_sessions s
                    WHERE s.event_id = e.id AND s.ended_at IS NULL AND s.expires_at > now())::integer AS running,
                   (SELECT count(*) FROM nalabo.lab_records r
                    WHERE r.event_id = e.id AND r.claimable_until IS NOT NULL)::integer AS reserves
            FROM nalabo.events e
            WHERE e.reserved > 0 AND e.closed_at IS NULL AND (e.closes_at IS NULL OR e.closes_at > now())
              AND (e.opens_at IS NULL OR e.opens_at <= now())
        ), wanted AS (
            SELECT oe.name, oe.capacity - oe.running - oe.reserves AS room, oe.session_seconds, oe.deadline_seconds,
                   v.id AS vid, h.handle || '/' || w.slug || '@' || v.version AS addr, v.digest, v.bundle::text AS b,
                   oe.reserved - (SELECT count(*) FROM nalabo.lab_records r
                                  WHERE r.event_id = oe.id AND r.version_id = v.id AND r.claimable_until > now())::integer AS lack,
                   ew.position
            FROM open_events oe
            JOIN nalabo.event_workshops ew ON ew.event_id = oe.id
            JOIN nalabo.workshop_versions v ON v.id = nalabo.event_workshop_version(ew)
            JOIN nalabo.workshops w ON w.id = v.workshop_id
            JOIN nalabo.handles() h ON h.id = w.owner_id
        )
        SELECT wanted.name, vid, addr, wanted.digest, b,
               least(lack, greatest(0, room - coalesce(sum(lack) OVER (PARTITION BY wanted.name ORDER BY position
                                                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)))::integer,
               wanted.session_seconds, wanted.deadline_seconds
        FROM wanted WHERE lack > 0 AND room > 0;
    END $$;

    -- Reserved labs to remove: past their claim time, of a closed event, or of a version the event no longer starts.
    CREATE FUNCTION nalabo.stale_reserves() RETURNS SETOF text
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        RETURN QUERY SELECT r.id FROM nalabo.lab_records r JOIN nalabo.events e ON e.id = r.event_id
            WHERE r.claimable_until IS NOT NULL
              AND (r.claimable_until <= now() OR e.closed_at IS NOT NULL OR (e.closes_at IS NOT NULL AND e.closes_at <= now())
                   OR e.reserved = 0
                   OR NOT EXISTS (SELECT 1 FROM nalabo.event_workshops ew
                                  WHERE ew.event_id = e.id AND nalabo.event_workshop_version(ew) = r.version_id));
    END $$;

    -- Labs whose session has ended (by its learner, an instructor or an admin, through any portal or the CLI):
    -- their containers are to be removed.
    CREATE FUNCTION nalabo.ended_labs() RETURNS SETOF text
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        RETURN QUERY SELECT r.id FROM nalabo.lab_records r JOIN nalabo.workshop_sessions s ON s.id = r.session_id
            WHERE s.ended_at IS NOT NULL;
    END $$;

    CREATE OR REPLACE FUNCTION nalabo.web_session_role(p_token_hash bytea) RETURNS name
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        found_role name;
        seen timestamptz;
    BEGIN
        PERFORM nalabo.require_authenticator();
        SELECT u.db_role, s.last_seen INTO found_role, seen
            FROM nalabo.web_sessions s JOIN nalabo.users u ON u.id = s.user_id
            WHERE s.token_hash = p_token_hash AND NOT u.disabled AND s.revoked_at IS NULL
              AND s.expires_at > now() AND s.last_seen + make_interval(secs => s.idle_seconds) > now()
              AND nalabo.portal_may_become(u.db_role);
        IF found_role IS NOT NULL AND seen < now() - interval '30 seconds' THEN
            UPDATE nalabo.web_sessions SET last_seen = now() WHERE token_hash = p_token_hash;
        END IF;
        RETURN found_role;
    END $$;

    CREATE OR REPLACE FUNCTION nalabo.token_role(p_token_hash bytea) RETURNS TABLE (db_role name, scopes text[])
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        found_role name;
        found_scopes text[];
        used timestamptz;
    BEGIN
        PERFORM nalabo.require_authenticator();
        SELECT u.db_role, t.scopes, t.last_used_at INTO found_role, found_scopes, used
            FROM nalabo.api_tokens t JOIN nalabo.users u ON u.id = t.user_id
            WHERE t.token_hash = p_token_hash AND NOT u.disabled AND t.revoked_at IS NULL
              AND t.expires_at > now() AND nalabo.portal_may_become(u.db_role);
        IF found_role IS NULL THEN
            RETURN;
        END IF;
        IF used IS NULL OR used < now() - interval '30 seconds' THEN
            UPDATE nalabo.api_tokens SET last_used_at = now() WHERE token_hash = p_token_hash;
        END IF;
        db_role := found_role;
        scopes := found_scopes;
        RETURN NEXT;
    END $$;

    REVOKE ALL ON FUNCTION nalabo.event_workshop_version(nalabo.event_workshops), nalabo.claim_reserved_lab(uuid),
        nalabo.reserves_wanted(), nalabo.stale_reserves(), nalabo.ended_labs() FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION nalabo.claim_reserved_lab(uuid) TO nalabo_user;
    GRANT EXECUTE ON FUNCTION nalabo.reserves_wanted(), nalabo.stale_reserves(), nalabo.ended_labs() TO nalabo_authenticator;
    """#
}
