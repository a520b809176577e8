/// The portal: accounts with passwords, web sessions, personal access tokens, login throttling and events
/// (capacity, per-learner caps, expiry with extension up to a deadline), all decided by the database.
///
/// - Identity stays the PostgreSQL role. `nalabo_authenticator` (NOLOGIN, NOINHERIT) is granted every nalabo
///   user's role, so a portal login role that is a member of it may `SET LOCAL ROLE` to a user — and only to
///   a user — without ever holding a user's privileges itself (PostgREST's authenticator). Its own privileges
///   are the pre-authentication functions below, used after `SET LOCAL ROLE nalabo_authenticator`.
///   Superusers, CREATEROLE and BYPASSRLS roles are never granted to it: the portal cannot become them.
/// - Secrets are stored as hashes only: passwords and access codes as Argon2id strings (hashed by nalabo),
///   web sessions and tokens as SHA-256 of a 256-bit random value. These tables have no grants; only the
///   definer functions read them.
/// - Capacity and caps are checked after locking the event's row, in READ COMMITTED, so concurrent starts
///   queue and exactly `capacity` win.
enum SchemaV3 {
    static let sql = #"""
    DO $$
    BEGIN
        CREATE ROLE nalabo_authenticator NOLOGIN NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- another catalogue in this cluster created it
    END
    $$;
    GRANT USAGE ON SCHEMA nalabo TO nalabo_authenticator;

    -- Whether a role may be taken on by the portal: a plain role, never one that can bypass the catalogue.
    CREATE FUNCTION nalabo.portal_may_become(p_role name) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ SELECT coalesce((SELECT NOT (rolsuper OR rolcreaterole OR rolbypassrls) FROM pg_roles WHERE rolname = p_role), false)
                     AND p_role <> (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'nalabo') $$;

    CREATE OR REPLACE FUNCTION nalabo.grant_access(member name) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM nalabo.users WHERE db_role = member AND NOT disabled) THEN
            EXECUTE format('GRANT nalabo_user TO %I', member);
            IF nalabo.portal_may_become(member) THEN
                EXECUTE format('GRANT %I TO nalabo_authenticator', member);
            END IF;
        END IF;
    END $$;

    DO $$
    DECLARE r record;
    BEGIN
        FOR r IN SELECT db_role FROM nalabo.users WHERE nalabo.portal_may_become(db_role) LOOP
            EXECUTE format('GRANT %I TO nalabo_authenticator', r.db_role);
        END LOOP;
    END
    $$;

    -- Pre-authentication functions refuse anyone but the authenticator.
    CREATE FUNCTION nalabo.require_authenticator() RETURNS void LANGUAGE plpgsql STABLE AS $$
    BEGIN
        IF nalabo.caller() <> 'nalabo_authenticator' THEN
            RAISE EXCEPTION 'only the portal''s authenticator may do this' USING ERRCODE = '42501';
        END IF;
    END $$;

    CREATE TABLE nalabo.credentials (
        user_id bigint PRIMARY KEY REFERENCES nalabo.users (id),
        password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%' AND char_length(password_hash) < 300),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE nalabo.credentials ENABLE ROW LEVEL SECURITY;

    -- Sets a portal password (its Argon2id hash): your own, or as an admin another user's (super_admins only
    -- for admins and super_admins).
    CREATE FUNCTION nalabo.set_password(p_handle text, p_hash text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE u nalabo.users;
    BEGIN
        SELECT * INTO u FROM nalabo.users WHERE handle = p_handle;
        IF NOT FOUND OR NOT (u.db_role = nalabo.caller() AND NOT u.disabled
                             OR nalabo.is_admin() AND (u.role = 'user' OR nalabo.is_super_admin())) THEN
            RAISE EXCEPTION 'no user % whose password you may set (your own; admins set users''; super_admins anyone''s)', p_handle
                USING ERRCODE = '42501';
        END IF;
        IF p_hash IS NULL OR p_hash NOT LIKE '$argon2id$%' THEN
            RAISE EXCEPTION 'a password is stored as an Argon2id hash' USING ERRCODE = '22023';
        END IF;
        INSERT INTO nalabo.credentials (user_id, password_hash, updated_at) VALUES (u.id, p_hash, now())
            ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now();
        -- A new password ends every web session of the account.
        UPDATE nalabo.web_sessions SET revoked_at = now() WHERE user_id = u.id AND revoked_at IS NULL;
        PERFORM nalabo.write_audit('user.set-password', p_handle, '{}');
    END $$;

    -- The password hash of an enabled account the portal may act as; nothing for anyone else.
    CREATE FUNCTION nalabo.login_credentials(p_handle text) RETURNS TABLE (user_id bigint, password_hash text)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        RETURN QUERY SELECT u.id, c.password_hash FROM nalabo.users u JOIN nalabo.credentials c ON c.user_id = u.id
            WHERE u.handle = p_handle AND NOT u.disabled AND nalabo.portal_may_become(u.db_role);
    END $$;

    CREATE TABLE nalabo.login_failures (
        key text NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX login_failures_key ON nalabo.login_failures (key, failed_at);
    ALTER TABLE nalabo.login_failures ENABLE ROW LEVEL SECURITY;

    -- Failed logins in the last 15 minutes for any of the keys (an account, a client address); old ones go.
    CREATE FUNCTION nalabo.login_failures_recent(p_keys text[]) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE most integer;
    BEGIN
        PERFORM nalabo.require_authenticator();
        DELETE FROM nalabo.login_failures WHERE failed_at < now() - interval '15 minutes';
        SELECT coalesce(max(n), 0) INTO most FROM (
            SELECT count(*) AS n FROM nalabo.login_failures WHERE key = ANY (p_keys) GROUP BY key) t;
        RETURN most;
    END $$;

    CREATE FUNCTION nalabo.note_login_failure(p_keys text[]) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        INSERT INTO nalabo.login_failures (key) SELECT unnest(p_keys);
    END $$;

    CREATE TABLE nalabo.web_sessions (
        token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
        user_id bigint NOT NULL REFERENCES nalabo.users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        idle_seconds integer NOT NULL CHECK (idle_seconds > 0),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
    );
    CREATE INDEX web_sessions_user ON nalabo.web_sessions (user_id) WHERE revoked_at IS NULL;
    ALTER TABLE nalabo.web_sessions ENABLE ROW LEVEL SECURITY;

    CREATE FUNCTION nalabo.open_web_session(p_user bigint, p_token_hash bytea, p_idle_seconds integer, p_absolute_seconds integer)
        RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        INSERT INTO nalabo.web_sessions (token_hash, user_id, idle_seconds, expires_at)
            VALUES (p_token_hash, p_user, p_idle_seconds, now() + make_interval(secs => p_absolute_seconds));
        DELETE FROM nalabo.web_sessions WHERE expires_at < now() - interval '1 day';
    END $$;

    -- The role of a live web session (not revoked, not idle too long, not past its absolute expiry, its user
    -- enabled); NULL otherwise. Marks it seen.
    CREATE FUNCTION nalabo.web_session_role(p_token_hash bytea) RETURNS name
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE found_role name;
    BEGIN
        PERFORM nalabo.require_authenticator();
        UPDATE nalabo.web_sessions s SET last_seen = now()
            FROM nalabo.users u
            WHERE s.token_hash = p_token_hash AND u.id = s.user_id AND NOT u.disabled AND s.revoked_at IS NULL
              AND s.expires_at > now() AND s.last_seen + make_interval(secs => s.idle_seconds) > now()
              AND nalabo.portal_may_become(u.db_role)
            RETURNING u.db_role INTO found_role;
        RETURN found_role;
    END $$;

    CREATE FUNCTION nalabo.close_web_session(p_token_hash bytea) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        UPDATE nalabo.web_sessions SET revoked_at = now() WHERE token_hash = p_token_hash AND revoked_at IS NULL;
    END $$;

    -- Disabling a user ends their web sessions and tokens at once (they would be refused anyway).
    CREATE FUNCTION nalabo.revoke_disabled() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        IF NEW.disabled AND NOT OLD.disabled THEN
            UPDATE nalabo.web_sessions SET revoked_at = now() WHERE user_id = NEW.id AND revoked_at IS NULL;
            UPDATE nalabo.api_tokens SET revoked_at = now() WHERE user_id = NEW.id AND revoked_at IS NULL;
        END IF;
        RETURN NEW;
    END $$;

    CREATE TABLE nalabo.api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id bigint NOT NULL REFERENCES nalabo.users (id),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80 AND name !~ '[\x01-\x1f\x7f-\x9f]'),
        token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
        scopes text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'sessions', 'admin']::text[] AND cardinality(scopes) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at timestamptz
    );
    ALTER TABLE nalabo.api_tokens ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tokens_read ON nalabo.api_tokens FOR SELECT USING (user_id = (SELECT nalabo.my_id()) OR (SELECT nalabo.is_admin()));
    GRANT SELECT (id, user_id, name, scopes, created_at, expires_at, last_used_at, revoked_at) ON nalabo.api_tokens TO nalabo_user;

    CREATE TRIGGER users_revoke_disabled AFTER UPDATE OF disabled ON nalabo.users FOR EACH ROW EXECUTE FUNCTION nalabo.revoke_disabled();

    -- A personal access token of the caller's; the token itself never reaches the database, only its hash.
    CREATE FUNCTION nalabo.create_token(p_name text, p_token_hash bytea, p_scopes text[], p_days integer) RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        me bigint := nalabo.my_id();
        new_id uuid;
    BEGIN
        IF me IS NULL THEN
            RAISE EXCEPTION 'the role % is not a nalabo user', nalabo.caller() USING ERRCODE = '42501';
        END IF;
        IF p_days IS NULL OR p_days < 1 OR p_days > 366 THEN
            RAISE EXCEPTION 'a token lives 1 to 366 days, not %', p_days USING ERRCODE = '22023';
        END IF;
        IF 'admin' = ANY (p_scopes) AND NOT nalabo.is_admin() THEN
            RAISE EXCEPTION 'only admins create tokens with the admin scope' USING ERRCODE = '42501';
        END IF;
        INSERT INTO nalabo.api_tokens (user_id, name, token_hash, scopes, expires_at)
            VALUES (me, p_name, p_token_hash, p_scopes, now() + make_interval(days => p_days)) RETURNING id INTO new_id;
        PERFORM nalabo.write_audit('token.create', p_name, jsonb_build_object('id', new_id, 'scopes', p_scopes));
        RETURN new_id;
    END $$;

    CREATE FUNCTION nalabo.revoke_token(p_id uuid) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        UPDATE nalabo.api_tokens SET revoked_at = now()
            WHERE id = p_id AND revoked_at IS NULL AND (user_id = nalabo.my_id() OR nalabo.is_admin());
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no live token % of yours', p_id USING ERRCODE = 'P0002';
        END IF;
        PERFORM nalabo.write_audit('token.revoke', p_id::text, '{}');
    END $$;

    -- The role and scopes of a live token; no row otherwise.
    CREATE FUNCTION nalabo.token_role(p_token_hash bytea) RETURNS TABLE (db_role name, scopes text[])
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        RETURN QUERY UPDATE nalabo.api_tokens t SET last_used_at = now()
            FROM nalabo.users u
            WHERE t.token_hash = p_token_hash AND u.id = t.user_id AND NOT u.disabled AND t.revoked_at IS NULL
              AND t.expires_at > now() AND nalabo.portal_may_become(u.db_role)
            RETURNING u.db_role, t.scopes;
    END $$;

    CREATE TABLE nalabo.events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'),
        title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120 AND title !~ '[\x01-\x1f\x7f-\x9f]'),
        -- The admin who created it; NULL when the catalogue's owner did.
        owner_id bigint REFERENCES nalabo.users (id),
        capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
        reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= capacity),
        per_learner integer NOT NULL DEFAULT 1 CHECK (per_learner BETWEEN 1 AND 100),
        session_seconds integer CHECK (session_seconds BETWEEN 60 AND 86400),
        deadline_seconds integer CHECK (deadline_seconds BETWEEN 60 AND 172800),
        orphan_seconds integer CHECK (orphan_seconds BETWEEN 60 AND 86400),
        access_code_hash text CHECK (access_code_hash LIKE '$argon2id$%'),
        registration text NOT NULL DEFAULT 'accounts' CHECK (registration IN ('accounts', 'anonymous')),
        opens_at timestamptz,
        closes_at timestamptz,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (deadline_seconds IS NULL OR session_seconds IS NULL OR deadline_seconds >= session_seconds),
        CHECK (opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at)
    );
    CREATE TABLE nalabo.event_workshops (
        event_id bigint NOT NULL REFERENCES nalabo.events (id),
        position integer NOT NULL,
        workshop_id bigint NOT NULL REFERENCES nalabo.workshops (id),
        -- A pinned version, or NULL for the newest live one when a session starts.
        version text,
        PRIMARY KEY (event_id, position),
        UNIQUE (event_id, workshop_id)
    );
    ALTER TABLE nalabo.events ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.event_workshops ENABLE ROW LEVEL SECURITY;
    -- Every user sees events (the portal lists them); the access code's hash is not granted.
    CREATE POLICY events_read ON nalabo.events FOR SELECT USING ((SELECT nalabo.my_id()) IS NOT NULL OR (SELECT nalabo.is_admin()));
    CREATE POLICY event_workshops_read ON nalabo.event_workshops FOR SELECT USING ((SELECT nalabo.my_id()) IS NOT NULL OR (SELECT nalabo.is_admin()));
    GRANT SELECT (id, name, title, owner_id, capacity, reserved, per_learner, session_seconds, deadline_seconds, orphan_seconds,
                  registration, opens_at, closes_at, closed_at, created_at) ON nalabo.events TO nalabo_user;
    GRANT SELECT ON nalabo.event_workshops TO nalabo_user;
    GRANT SELECT (id, name, title, registration, opens_at, closes_at, closed_at) ON nalabo.events TO nalabo_authenticator;
    -- The portal shows an event's name, title and way in before anyone has logged in.
    CREATE POLICY events_public ON nalabo.events FOR SELECT TO nalabo_authenticator USING (true);

    ALTER TABLE nalabo.workshop_sessions
        ADD COLUMN event_id bigint REFERENCES nalabo.events (id),
        ADD COLUMN last_activity timestamptz;
    CREATE INDEX workshop_sessions_event_active ON nalabo.workshop_sessions (event_id) WHERE ended_at IS NULL;

    -- Creates an event (admins). Workshops are OWNER/SLUG[@VERSION] addresses, checked to exist.
    CREATE FUNCTION nalabo.create_event(p_name text, p_title text, p_workshops text[], p_capacity integer, p_reserved integer,
                                        p_per_learner integer, p_session_seconds integer, p_deadline_seconds integer,
                                        p_orphan_seconds integer, p_access_code_hash text, p_registration text,
                                        p_opens_at timestamptz, p_closes_at timestamptz) RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        new_id bigint;
        address text;
        pos integer := 0;
        v_workshop bigint;
        v_version text;
    BEGIN
        IF NOT nalabo.is_admin() THEN
            RAISE EXCEPTION 'only admins create events' USING ERRCODE = '42501';
        END IF;
        IF cardinality(p_workshops) IS NULL OR cardinality(p_workshops) = 0 THEN
            RAISE EXCEPTION 'an event needs at least one workshop' USING ERRCODE = '22023';
        END IF;
        INSERT INTO nalabo.events (name, title, owner_id, capacity, reserved, per_learner, session_seconds, deadline_seconds,
                                   orphan_seconds, access_code_hash, registration, opens_at, closes_at)
            VALUES (p_name, coalesce(p_title, p_name),
                    nalabo.my_id(),
                    p_capacity, coalesce(p_reserved, 0), coalesce(p_per_learner, 1), p_session_seconds, p_deadline_seconds,
                    p_orphan_seconds, p_access_code_hash, coalesce(p_registration, 'accounts'), p_opens_at, p_closes_at)
            RETURNING id INTO new_id;
        FOREACH address IN ARRAY p_workshops LOOP
            pos := pos + 1;
            v_version := nullif(split_part(address, '@', 2), '');
            SELECT w.id INTO v_workshop FROM nalabo.workshops w JOIN nalabo.users u ON u.id = w.owner_id
                WHERE u.handle || '/' || w.slug = split_part(address, '@', 1);
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no published workshop %', split_part(address, '@', 1) USING ERRCODE = 'P0002';
            END IF;
            IF v_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM nalabo.workshop_versions
                                                     WHERE workshop_id = v_workshop AND version = v_version AND yanked_at IS NULL) THEN
                RAISE EXCEPTION 'no live version % of %', v_version, split_part(address, '@', 1) USING ERRCODE = 'P0002';
            END IF;
            INSERT INTO nalabo.event_workshops (event_id, position, workshop_id, version) VALUES (new_id, pos, v_workshop, v_version);
        END LOOP;
        PERFORM nalabo.write_audit('event.create', p_name,
            jsonb_build_object('capacity', p_capacity, 'workshops', to_jsonb(p_workshops), 'registration', p_registration));
        RETURN new_id;
    END $$;

    CREATE FUNCTION nalabo.close_event(p_name text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        IF NOT nalabo.is_admin() THEN
            RAISE EXCEPTION 'only admins close events' USING ERRCODE = '42501';
        END IF;
        UPDATE nalabo.events SET closed_at = now() WHERE name = p_name AND closed_at IS NULL;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no open event %', p_name USING ERRCODE = 'P0002';
        END IF;
        PERFORM nalabo.write_audit('event.close', p_name, '{}');
    END $$;

    -- The access code's hash of an open event, for the portal to verify (NULL: the event has none).
    CREATE FUNCTION nalabo.event_access_code(p_event text) RETURNS text
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        RETURN (SELECT access_code_hash FROM nalabo.events WHERE name = p_event);
    END $$;

    -- Whether an event asks for an access code (the hash itself stays hidden).
    CREATE FUNCTION nalabo.event_has_code(p_event text) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ SELECT coalesce((SELECT access_code_hash IS NOT NULL FROM nalabo.events WHERE name = p_event), false) $$;

    -- Whether an event takes new sessions now; raises with the reason when it does not.
    CREATE FUNCTION nalabo.require_open_event(e nalabo.events) RETURNS void LANGUAGE plpgsql STABLE AS $$
    BEGIN
        IF e.closed_at IS NOT NULL OR (e.closes_at IS NOT NULL AND e.closes_at <= now()) THEN
            RAISE EXCEPTION 'the event % is closed', e.name USING ERRCODE = '42501';
        END IF;
        IF e.opens_at IS NOT NULL AND e.opens_at > now() THEN
            RAISE EXCEPTION 'the event % opens at %', e.name, e.opens_at USING ERRCODE = '42501';
        END IF;
    END $$;

    -- A guest account for an anonymous event: a new NOLOGIN role and nalabo user, created within the event's
    -- capacity of guests (the event's row is locked, so concurrent registrations queue). Returns its role.
    CREATE FUNCTION nalabo.register_guest(p_event text, p_display_name text) RETURNS name
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        e nalabo.events;
        guests integer;
        v_handle text;
        v_role name;
    BEGIN
        PERFORM nalabo.require_authenticator();
        SELECT * INTO e FROM nalabo.events WHERE name = p_event FOR UPDATE;
        IF NOT FOUND OR e.registration <> 'anonymous' THEN
            RAISE EXCEPTION 'no anonymous event %', p_event USING ERRCODE = 'P0002';
        END IF;
        PERFORM nalabo.require_open_event(e);
        IF p_display_name IS NULL OR char_length(btrim(p_display_name)) NOT BETWEEN 1 AND 60 OR p_display_name ~ '[\x01-\x1f\x7f-\x9f]' THEN
            RAISE EXCEPTION 'a display name is 1 to 60 characters on one line' USING ERRCODE = '22023';
        END IF;
        SELECT count(*) INTO guests FROM nalabo.guests WHERE event_id = e.id;
        IF guests >= e.capacity * 2 THEN
            RAISE EXCEPTION 'the event % has no room for more guests', p_event USING ERRCODE = 'NL402';
        END IF;
        v_handle := 'guest-' || e.id || '-' || substr(md5(gen_random_uuid()::text), 1, 10);
        v_role := ('nalabo_' || replace(v_handle, '-', '_'))::name;
        EXECUTE format('CREATE ROLE %I NOLOGIN', v_role);
        INSERT INTO nalabo.users (handle, db_role, role, plan) VALUES (v_handle, v_role, 'user', 'free');
        INSERT INTO nalabo.guests (user_id, event_id, display_name)
            VALUES ((SELECT id FROM nalabo.users WHERE handle = v_handle), e.id, btrim(p_display_name));
        PERFORM nalabo.grant_access(v_role);
        RETURN v_role;
    END $$;

    CREATE TABLE nalabo.guests (
        user_id bigint PRIMARY KEY REFERENCES nalabo.users (id),
        event_id bigint NOT NULL REFERENCES nalabo.events (id),
        display_name text NOT NULL
    );
    ALTER TABLE nalabo.guests ENABLE ROW LEVEL SECURITY;
    CREATE POLICY guests_read ON nalabo.guests FOR SELECT
        USING (user_id = (SELECT nalabo.my_id()) OR (SELECT nalabo.is_admin())
               OR EXISTS (SELECT 1 FROM nalabo.events e WHERE e.id = event_id AND e.owner_id = (SELECT nalabo.my_id())));
    GRANT SELECT ON nalabo.guests TO nalabo_user;

    -- The user id of a role, for the portal to open a guest's web session.
    CREATE FUNCTION nalabo.user_of_role(p_role name) RETURNS bigint
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        RETURN (SELECT id FROM nalabo.users WHERE db_role = p_role AND NOT disabled);
    END $$;

    -- Starts the caller's session of one of an event's workshops: the event is open, the learner is under
    -- the per-learner cap and the event under its capacity — counted after locking the event's row, so
    -- concurrent starts queue and never overshoot. The length is the event's (else the workshop's).
    CREATE FUNCTION nalabo.start_event_session(p_event text, p_version bigint) RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        me bigint := nalabo.my_id();
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
        new_id := nalabo.start_session(p_version);
        UPDATE nalabo.workshop_sessions SET event_id = e.id, last_activity = now(),
               expires_at = CASE WHEN e.session_seconds IS NULL THEN expires_at ELSE started_at + make_interval(secs => e.session_seconds) END
            WHERE id = new_id;
        RETURN new_id;
    END $$;

    -- Extends the caller's event session by the event's session length, up to its deadline; returns the new expiry.
    CREATE FUNCTION nalabo.extend_session(p_session uuid) RETURNS timestamptz
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        s nalabo.workshop_sessions := nalabo.my_active_session(p_session);
        e nalabo.events;
        latest timestamptz;
        new_expiry timestamptz;
    BEGIN
        SELECT * INTO e FROM nalabo.events WHERE id = s.event_id;
        IF NOT FOUND OR e.deadline_seconds IS NULL THEN
            RAISE EXCEPTION 'session % cannot be extended (its event sets no deadline)', p_session USING ERRCODE = '42501';
        END IF;
        IF s.expires_at <= now() THEN
            RAISE EXCEPTION 'session % expired at %', p_session, s.expires_at USING ERRCODE = '42501';
        END IF;
        latest := s.started_at + make_interval(secs => e.deadline_seconds);
        new_expiry := least(latest, now() + make_interval(secs => coalesce(e.session_seconds, e.deadline_seconds)));
        IF new_expiry <= s.expires_at THEN
            RAISE EXCEPTION 'session % is already at its deadline %', p_session, latest USING ERRCODE = 'NL402';
        END IF;
        UPDATE nalabo.workshop_sessions SET expires_at = new_expiry WHERE id = p_session;
        RETURN new_expiry;
    END $$;

    -- Marks the caller's session active now (the portal's orphan clean-up reads it).
    CREATE FUNCTION nalabo.touch_session(p_session uuid) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        UPDATE nalabo.workshop_sessions SET last_activity = now()
            WHERE id = p_session AND learner_id = nalabo.my_id() AND ended_at IS NULL;
    END $$;

    -- How a session ends, decided here for end_session and the portal's reaper alike: expired (past its
    -- time), completed (every challenge passed or skipped), else abandoned; the score is the best points of
    -- each challenge's graded attempts.
    CREATE FUNCTION nalabo.finish_session(s nalabo.workshop_sessions) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        v_status text;
        v_score integer;
    BEGIN
        SELECT coalesce(sum(best), 0) INTO v_score FROM (
            SELECT max(points) AS best FROM nalabo.challenge_attempts
            WHERE session_id = s.id AND NOT skipped GROUP BY challenge) t;
        v_status := CASE
            WHEN s.expires_at <= now() THEN 'expired'
            WHEN NOT EXISTS (SELECT 1 FROM nalabo.challenges c WHERE c.version_id = s.version_id
                             AND NOT EXISTS (SELECT 1 FROM nalabo.challenge_attempts a
                                             WHERE a.session_id = s.id AND a.challenge = c.challenge AND (a.passed OR a.skipped)))
                THEN 'completed'
            ELSE 'abandoned' END;
        UPDATE nalabo.workshop_sessions SET ended_at = now(), status = v_status, score = v_score WHERE id = s.id;
        RETURN v_status;
    END $$;

    CREATE OR REPLACE FUNCTION nalabo.end_session(p_session uuid) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        RETURN nalabo.finish_session(nalabo.my_active_session(p_session));
    END $$;

    -- The portal's sessions its reaper ends: past their expiry, or in an event with an orphan time whose page
    -- (terminal, lab page) has not been seen for that long.
    CREATE FUNCTION nalabo.sessions_to_reap() RETURNS TABLE (session_id uuid, reason text)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        PERFORM nalabo.require_authenticator();
        RETURN QUERY SELECT s.id, CASE WHEN s.expires_at <= now() THEN 'expired' ELSE 'orphaned' END
            FROM nalabo.workshop_sessions s LEFT JOIN nalabo.events e ON e.id = s.event_id
            WHERE s.ended_at IS NULL AND s.grading = 'verified'
              AND (s.expires_at <= now()
                   OR (e.orphan_seconds IS NOT NULL
                       AND coalesce(s.last_activity, s.started_at) + make_interval(secs => e.orphan_seconds) <= now()));
    END $$;

    -- Ends a session for the reaper (once: a second reaper finds it ended and does nothing); returns how it
    -- ended, or NULL when it had already.
    CREATE FUNCTION nalabo.reap_session(p_session uuid) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE s nalabo.workshop_sessions;
    BEGIN
        PERFORM nalabo.require_authenticator();
        SELECT * INTO s FROM nalabo.workshop_sessions WHERE id = p_session AND ended_at IS NULL AND grading = 'verified' FOR UPDATE;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
        RETURN nalabo.finish_session(s);
    END $$;

    -- Ends a learner's running session on behalf of the workshop's owner (an instructor) or an admin.
    CREATE FUNCTION nalabo.stop_session(p_session uuid) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE s nalabo.workshop_sessions;
    BEGIN
        SELECT ws.* INTO s FROM nalabo.workshop_sessions ws
            JOIN nalabo.workshop_versions v ON v.id = ws.version_id JOIN nalabo.workshops w ON w.id = v.workshop_id
            WHERE ws.id = p_session AND ws.ended_at IS NULL AND (w.owner_id = nalabo.my_id() OR nalabo.is_admin())
            FOR UPDATE OF ws;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no running session % of a workshop of yours', p_session USING ERRCODE = 'P0002';
        END IF;
        PERFORM nalabo.write_audit('session.stop', p_session::text, '{}');
        RETURN nalabo.finish_session(s);
    END $$;

    -- A portal-only account, made by an admin from the web: a new NOLOGIN role (the portal takes it on; nobody
    -- logs in to PostgreSQL with it), the user, and the password's hash. Admins add users; super_admins any role.
    CREATE FUNCTION nalabo.add_portal_user(p_handle text, p_hash text, p_role text, p_plan text) RETURNS name
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE v_role name;
    BEGIN
        IF NOT nalabo.is_admin() OR (coalesce(p_role, 'user') <> 'user' AND NOT nalabo.is_super_admin()) THEN
            RAISE EXCEPTION 'admins add users; only super_admins add admins' USING ERRCODE = '42501';
        END IF;
        IF p_handle IS NULL OR p_handle !~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' THEN
            RAISE EXCEPTION '% is not a valid handle; expected a lowercase label', p_handle USING ERRCODE = '22023';
        END IF;
        IF p_hash IS NULL OR p_hash NOT LIKE '$argon2id$%' THEN
            RAISE EXCEPTION 'a password is stored as an Argon2id hash' USING ERRCODE = '22023';
        END IF;
        IF EXISTS (SELECT 1 FROM nalabo.users WHERE handle = p_handle) THEN
            RAISE EXCEPTION 'the handle % is taken', p_handle USING ERRCODE = 'NL409';
        END IF;
        -- Roles are cluster-wide: a random suffix keeps catalogues in one cluster (and a handle used again) apart.
        v_role := ('nalabo_u_' || left(replace(p_handle, '-', '_'), 40) || '_' || substr(md5(gen_random_uuid()::text), 1, 8))::name;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
            RAISE EXCEPTION 'a PostgreSQL role % already exists', v_role USING ERRCODE = 'NL409';
        END IF;
        EXECUTE format('CREATE ROLE %I NOLOGIN', v_role);
        INSERT INTO nalabo.users (handle, db_role, role, plan) VALUES (p_handle, v_role, coalesce(p_role, 'user'), coalesce(p_plan, 'free'));
        PERFORM nalabo.grant_access(v_role);
        INSERT INTO nalabo.credentials (user_id, password_hash) VALUES ((SELECT id FROM nalabo.users WHERE handle = p_handle), p_hash);
        RETURN v_role;
    END $$;

    REVOKE ALL ON FUNCTION nalabo.finish_session(nalabo.workshop_sessions) FROM PUBLIC;
    REVOKE ALL ON FUNCTION nalabo.add_portal_user(text, text, text, text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION nalabo.add_portal_user(text, text, text, text) TO nalabo_user;
    REVOKE ALL ON FUNCTION nalabo.stop_session(uuid) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION nalabo.stop_session(uuid) TO nalabo_user;
    REVOKE ALL ON FUNCTION nalabo.sessions_to_reap(), nalabo.reap_session(uuid) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION nalabo.sessions_to_reap(), nalabo.reap_session(uuid) TO nalabo_authenticator;

    REVOKE ALL ON FUNCTION nalabo.portal_may_become(name), nalabo.require_authenticator(), nalabo.require_open_event(nalabo.events),
        nalabo.revoke_disabled() FROM PUBLIC;
    REVOKE ALL ON FUNCTION nalabo.login_credentials(text), nalabo.login_failures_recent(text[]), nalabo.note_login_failure(text[]),
        nalabo.open_web_session(bigint, bytea, integer, integer), nalabo.web_session_role(bytea), nalabo.close_web_session(bytea),
        nalabo.token_role(bytea), nalabo.event_access_code(text), nalabo.register_guest(text, text), nalabo.user_of_role(name),
        nalabo.set_password(text, text), nalabo.create_token(text, bytea, text[], integer), nalabo.revoke_token(uuid),
        nalabo.create_event(text, text, text[], integer, integer, integer, integer, integer, integer, text, text, timestamptz, timestamptz),
        nalabo.close_event(text), nalabo.start_event_session(text, bigint), nalabo.extend_session(uuid), nalabo.touch_session(uuid)
        FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION nalabo.caller(), nalabo.login_credentials(text), nalabo.login_failures_recent(text[]),
        nalabo.note_login_failure(text[]), nalabo.open_web_session(bigint, bytea, integer, integer), nalabo.web_session_role(bytea),
        nalabo.close_web_session(bytea), nalabo.token_role(bytea), nalabo.event_access_code(text), nalabo.register_guest(text, text),
        nalabo.user_of_role(name), nalabo.event_has_code(text) TO nalabo_authenticator;
    GRANT EXECUTE ON FUNCTION nalabo.set_password(text, text), nalabo.create_token(text, bytea, text[], integer),
        nalabo.revoke_token(uuid), nalabo.create_event(text, text, text[], integer, integer, integer, integer, integer, integer, text,
        text, timestamptz, timestamptz), nalabo.close_event(text), nalabo.start_event_session(text, bigint),
        nalabo.extend_session(uuid), nalabo.touch_session(uuid), nalabo.event_has_code(text) TO nalabo_user;
    """#
}
