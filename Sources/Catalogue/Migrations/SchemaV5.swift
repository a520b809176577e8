/// Guest accounts start sessions only in their own event.
///
/// A guest of an anonymous event is anyone who had the event's URL (and code): its capacity and per-learner cap
/// are what make that safe. Before this, a guest could start any published workshop outside the event
/// (`start_session`) or in another event, where neither applied. The session-opening body becomes
/// `open_session`, callable only by the functions below; `start_session` refuses guests, and
/// `start_event_session` refuses a guest another event than theirs. (Applied migrations never change, so the
/// latter's body is restated here from SchemaV3 with the check added: that is how a function changes.)
enum SchemaV5 {
    static let sql = #"""
    ALTER FUNCTION nalabo.start_session(bigint) RENAME TO open_session;
    REVOKE ALL ON FUNCTION nalabo.open_session(bigint) FROM PUBLIC, nalabo_user;

    -- The event whose guest the caller is, NULL for an account that is not a guest.
    CREATE FUNCTION nalabo.my_guest_event() RETURNS bigint
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ SELECT event_id FROM nalabo.guests WHERE user_id = nalabo.my_id() $$;

    CREATE FUNCTION nalabo.start_session(p_version bigint) RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        guest_of text;
    BEGIN
        SELECT e.name INTO guest_of FROM nalabo.events e WHERE e.id = nalabo.my_guest_event();
        IF guest_of IS NOT NULL THEN
            RAISE EXCEPTION 'a guest of the event % starts sessions only in that event', guest_of USING ERRCODE = '42501',
                HINT = 'start it from the event''s page, or sign in with an account';
        END IF;
        RETURN nalabo.open_session(p_version);
    END $$;

    CREATE OR REPLACE FUNCTION nalabo.start_event_session(p_event text, p_version bigint) RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        me bigint := nalabo.my_id();
        guest_of bigint := nalabo.my_guest_event();
        e nalabo.events;
        running integer;
        mine integer;
        new_id uuid;
    BEGIN
        IF me IS NULL THEN
            RAISE EXCEPTION 'the role % is not a nalabo user', nalabo.caller() USING ERRCODE = '42501';
        END IF;
        SELECT * INTO e FROM nalabo.events WHERE name = p_event FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no event %', p_event USING ERRCODE = 'P0002';
        END IF;
        IF guest_of IS NOT NULL AND guest_of <> e.id THEN
            RAISE EXCEPTION 'a guest of another event cannot start sessions in %', p_event USING ERRCODE = '42501';
        END IF;
        PERFORM nalabo.require_open_event(e);
        IF NOT EXISTS (SELECT 1 FROM nalabo.event_workshops ew JOIN nalabo.workshop_versions v ON v.workshop_id = ew.workshop_id
                       WHERE ew.event_id = e.id AND v.id = p_version AND v.yanked_at IS NULL
                         AND (ew.version IS NULL OR ew.version = v.version)) THEN
            RAISE EXCEPTION 'that workshop version is not part of the event %', p_event USING ERRCODE = 'P0002';
        END IF;
        SELECT count(*) FILTER (WHERE learner_id = me), count(*) INTO mine, running FROM nalabo.workshop_sessions
            WHERE event_id = e.id AND ended_at IS NULL AND expires_at > now();
        IF mine >= e.per_learner THEN
            RAISE EXCEPTION 'you already have % running session(s) in %, the most one learner may', mine, p_event
                USING ERRCODE = 'NL402', HINT = 'end a session first';
        END IF;
        IF running >= e.capacity THEN
            RAISE EXCEPTION 'the event % is full (% sessions)', p_event, e.capacity
                USING ERRCODE = 'NL402', HINT = 'try again when a session ends';
        END IF;
        new_id := nalabo.open_session(p_version);
        UPDATE nalabo.workshop_sessions SET event_id = e.id, last_activity = now(),
               expires_at = CASE WHEN e.session_seconds IS NULL THEN expires_at ELSE started_at + make_interval(secs => e.session_seconds) END
            WHERE id = new_id;
        RETURN new_id;
    END $$;

    REVOKE ALL ON FUNCTION nalabo.my_guest_event(), nalabo.start_session(bigint) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION nalabo.start_session(bigint) TO nalabo_user;
    """#
}
