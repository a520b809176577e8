/// The first schema: users, workshops, immutable versions, sessions, attempts and the audit log, each with
/// row-level security forced on, so that isolation holds for every client, nalabo or not.
///
/// Identity is the PostgreSQL role (`current_user`), never a setting a client could change. The helper
/// functions are SECURITY DEFINER only to read `users` without recursing into its own policies; they take the
/// role as an argument, and policies always pass `current_user`.
enum SchemaV1 {
    static let sql = #"""
    DO $$
    BEGIN
        CREATE ROLE nalabo_user NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- another catalogue in this cluster created it
    END
    $$;

    CREATE SCHEMA nalabo;
    REVOKE ALL ON SCHEMA nalabo FROM PUBLIC;
    GRANT USAGE ON SCHEMA nalabo TO nalabo_user;

    CREATE TABLE nalabo.plans (
        name text PRIMARY KEY,
        max_published_workshops integer
    );

    CREATE TABLE nalabo.users (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        handle text NOT NULL UNIQUE CHECK (handle ~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'),
        db_role name NOT NULL UNIQUE,
        role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin', 'super_admin')),
        plan text NOT NULL DEFAULT 'free' REFERENCES nalabo.plans (name),
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE nalabo.workshops (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        owner_id bigint NOT NULL REFERENCES nalabo.users (id),
        slug text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (owner_id, slug)
    );

    CREATE TABLE nalabo.workshop_versions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workshop_id bigint NOT NULL REFERENCES nalabo.workshops (id),
        version text NOT NULL,
        version_order text COLLATE "C" NOT NULL,
        digest text NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
        bundle jsonb NOT NULL,
        title text NOT NULL,
        summary text,
        tags text[] NOT NULL DEFAULT '{}',
        published_at timestamptz NOT NULL DEFAULT now(),
        published_by bigint NOT NULL REFERENCES nalabo.users (id),
        yanked_at timestamptz,
        yanked_by bigint REFERENCES nalabo.users (id),
        UNIQUE (workshop_id, version)
    );
    CREATE INDEX workshop_versions_newest ON nalabo.workshop_versions (workshop_id, version_order DESC) WHERE yanked_at IS NULL;
    CREATE INDEX workshop_versions_tags ON nalabo.workshop_versions USING gin (tags);

    CREATE TABLE nalabo.challenges (
        version_id bigint NOT NULL REFERENCES nalabo.workshop_versions (id),
        challenge text NOT NULL,
        step text NOT NULL,
        points integer NOT NULL,
        position integer NOT NULL,
        PRIMARY KEY (version_id, challenge)
    );

    CREATE TABLE nalabo.workshop_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        learner_id bigint NOT NULL REFERENCES nalabo.users (id),
        version_id bigint NOT NULL REFERENCES nalabo.workshop_versions (id),
        started_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        ended_at timestamptz,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'abandoned', 'expired')),
        score integer NOT NULL DEFAULT 0
    );
    CREATE INDEX workshop_sessions_version ON nalabo.workshop_sessions (version_id);
    CREATE INDEX workshop_sessions_learner ON nalabo.workshop_sessions (learner_id);

    CREATE TABLE nalabo.challenge_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES nalabo.workshop_sessions (id),
        challenge text NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        passed boolean NOT NULL,
        points integer NOT NULL DEFAULT 0,
        skipped boolean NOT NULL DEFAULT false
    );
    CREATE INDEX challenge_attempts_session ON nalabo.challenge_attempts (session_id, challenge);

    -- One row per session and challenge, kept up to date as attempts are recorded, so that `stats` groups a
    -- row per learner instead of every attempt. Owner and learner are stored so its policy compares columns.
    CREATE TABLE nalabo.challenge_progress (
        session_id uuid NOT NULL REFERENCES nalabo.workshop_sessions (id),
        challenge text NOT NULL,
        workshop_id bigint NOT NULL REFERENCES nalabo.workshops (id),
        owner_id bigint NOT NULL REFERENCES nalabo.users (id),
        learner_id bigint NOT NULL REFERENCES nalabo.users (id),
        started_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        first_passed_at timestamptz,
        PRIMARY KEY (session_id, challenge)
    );
    CREATE INDEX challenge_progress_workshop ON nalabo.challenge_progress (workshop_id, challenge)
        INCLUDE (attempts, first_passed_at, started_at);

    CREATE TABLE nalabo.audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id bigint REFERENCES nalabo.users (id),
        actor_role name NOT NULL DEFAULT current_user,
        action text NOT NULL,
        target text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
    );

    -- Who the caller is. NULL for a role that is not a nalabo user, or a disabled one: fail closed.
    -- The helpers are PL/pgSQL so that their plans are cached per session: SECURITY DEFINER SQL functions
    -- cannot be inlined and would be planned again on every call.
    CREATE FUNCTION nalabo.user_id(caller name) RETURNS bigint
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ BEGIN RETURN (SELECT id FROM nalabo.users WHERE db_role = caller AND NOT disabled); END $$;

    -- The role that owns the catalogue (ran `migrate`) administers it, which is how the first super_admin is made.
    CREATE FUNCTION nalabo.is_owner(caller name) RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ BEGIN RETURN coalesce((SELECT caller = pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'nalabo'), false); END $$;

    CREATE FUNCTION nalabo.is_admin(caller name) RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ BEGIN
            RETURN nalabo.is_owner(caller)
                OR EXISTS (SELECT 1 FROM nalabo.users WHERE db_role = caller AND NOT disabled AND role IN ('admin', 'super_admin'));
        END $$;

    CREATE FUNCTION nalabo.is_super_admin(caller name) RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ BEGIN
            RETURN nalabo.is_owner(caller)
                OR EXISTS (SELECT 1 FROM nalabo.users WHERE db_role = caller AND NOT disabled AND role = 'super_admin');
        END $$;

    -- Handles are public (they address workshops); plans and roles are not.
    CREATE FUNCTION nalabo.handles() RETURNS TABLE (id bigint, handle text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ SELECT id, handle FROM nalabo.users $$;

    -- In policies every helper call is wrapped in a scalar subquery, so PostgreSQL evaluates it once per
    -- statement (an initplan) instead of once per row.
    ALTER TABLE nalabo.plans ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.plans FORCE ROW LEVEL SECURITY;
    CREATE POLICY plans_read ON nalabo.plans FOR SELECT USING (true);
    CREATE POLICY plans_owner ON nalabo.plans USING ((SELECT nalabo.is_owner(current_user))) WITH CHECK ((SELECT nalabo.is_owner(current_user)));

    ALTER TABLE nalabo.users ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.users FORCE ROW LEVEL SECURITY;
    CREATE POLICY users_read ON nalabo.users FOR SELECT
        USING (db_role = current_user OR (SELECT nalabo.is_admin(current_user)));
    CREATE POLICY users_add ON nalabo.users FOR INSERT
        WITH CHECK ((SELECT nalabo.is_admin(current_user)) AND (role = 'user' OR (SELECT nalabo.is_super_admin(current_user))));
    CREATE POLICY users_change ON nalabo.users FOR UPDATE
        USING ((SELECT nalabo.is_admin(current_user))) WITH CHECK ((SELECT nalabo.is_admin(current_user)));

    ALTER TABLE nalabo.workshops ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.workshops FORCE ROW LEVEL SECURITY;
    CREATE POLICY workshops_read ON nalabo.workshops FOR SELECT
        USING ((SELECT nalabo.user_id(current_user)) IS NOT NULL OR (SELECT nalabo.is_admin(current_user)));
    CREATE POLICY workshops_create ON nalabo.workshops FOR INSERT
        WITH CHECK (owner_id = (SELECT nalabo.user_id(current_user)));

    ALTER TABLE nalabo.workshop_versions ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.workshop_versions FORCE ROW LEVEL SECURITY;
    CREATE POLICY versions_read ON nalabo.workshop_versions FOR SELECT
        USING ((SELECT nalabo.user_id(current_user)) IS NOT NULL OR (SELECT nalabo.is_admin(current_user)));
    CREATE POLICY versions_publish ON nalabo.workshop_versions FOR INSERT
        WITH CHECK (published_by = (SELECT nalabo.user_id(current_user))
                    AND EXISTS (SELECT 1 FROM nalabo.workshops w WHERE w.id = workshop_id AND w.owner_id = published_by));
    CREATE POLICY versions_yank ON nalabo.workshop_versions FOR UPDATE
        USING (EXISTS (SELECT 1 FROM nalabo.workshops w WHERE w.id = workshop_id AND w.owner_id = (SELECT nalabo.user_id(current_user)))
               OR (SELECT nalabo.is_admin(current_user)))
        WITH CHECK (EXISTS (SELECT 1 FROM nalabo.workshops w WHERE w.id = workshop_id AND w.owner_id = (SELECT nalabo.user_id(current_user)))
                    OR (SELECT nalabo.is_admin(current_user)));

    ALTER TABLE nalabo.challenges ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.challenges FORCE ROW LEVEL SECURITY;
    CREATE POLICY challenges_read ON nalabo.challenges FOR SELECT
        USING ((SELECT nalabo.user_id(current_user)) IS NOT NULL OR (SELECT nalabo.is_admin(current_user)));
    CREATE POLICY challenges_publish ON nalabo.challenges FOR INSERT
        WITH CHECK (EXISTS (SELECT 1 FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id
                            WHERE v.id = version_id AND w.owner_id = (SELECT nalabo.user_id(current_user))));

    ALTER TABLE nalabo.workshop_sessions ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.workshop_sessions FORCE ROW LEVEL SECURITY;
    CREATE POLICY sessions_read ON nalabo.workshop_sessions FOR SELECT
        USING (learner_id = (SELECT nalabo.user_id(current_user))
               OR EXISTS (SELECT 1 FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id
                          WHERE v.id = version_id AND w.owner_id = (SELECT nalabo.user_id(current_user)))
               OR (SELECT nalabo.is_admin(current_user)));
    CREATE POLICY sessions_start ON nalabo.workshop_sessions FOR INSERT
        WITH CHECK (learner_id = (SELECT nalabo.user_id(current_user)));
    CREATE POLICY sessions_progress ON nalabo.workshop_sessions FOR UPDATE
        USING (learner_id = (SELECT nalabo.user_id(current_user)))
        WITH CHECK (learner_id = (SELECT nalabo.user_id(current_user)));

    ALTER TABLE nalabo.challenge_attempts ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.challenge_attempts FORCE ROW LEVEL SECURITY;
    -- The sessions policy applies inside the subquery: an attempt is visible exactly when its session is.
    CREATE POLICY attempts_read ON nalabo.challenge_attempts FOR SELECT
        USING (EXISTS (SELECT 1 FROM nalabo.workshop_sessions s WHERE s.id = session_id));
    CREATE POLICY attempts_record ON nalabo.challenge_attempts FOR INSERT
        WITH CHECK (EXISTS (SELECT 1 FROM nalabo.workshop_sessions s
                            WHERE s.id = session_id AND s.learner_id = (SELECT nalabo.user_id(current_user))));

    ALTER TABLE nalabo.challenge_progress ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.challenge_progress FORCE ROW LEVEL SECURITY;
    -- Written only by the attempts trigger below; read like the sessions it summarises.
    CREATE POLICY progress_read ON nalabo.challenge_progress FOR SELECT
        USING (learner_id = (SELECT nalabo.user_id(current_user)) OR owner_id = (SELECT nalabo.user_id(current_user))
               OR (SELECT nalabo.is_admin(current_user)));
    CREATE POLICY progress_owner ON nalabo.challenge_progress
        USING ((SELECT nalabo.is_owner(current_user))) WITH CHECK ((SELECT nalabo.is_owner(current_user)));

    ALTER TABLE nalabo.audit_events ENABLE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.audit_events FORCE ROW LEVEL SECURITY;
    CREATE POLICY audit_read ON nalabo.audit_events FOR SELECT
        USING ((SELECT nalabo.is_admin(current_user)) OR actor_id = (SELECT nalabo.user_id(current_user)));
    CREATE POLICY audit_write ON nalabo.audit_events FOR INSERT
        WITH CHECK (actor_role = current_user
                    AND (actor_id = (SELECT nalabo.user_id(current_user)) OR (actor_id IS NULL AND (SELECT nalabo.is_owner(current_user)))));

    -- Versions are immutable: only the yank fields may change.
    CREATE FUNCTION nalabo.keep_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (NEW.id, NEW.workshop_id, NEW.version, NEW.version_order, NEW.digest, NEW.bundle, NEW.title, NEW.summary,
            NEW.tags, NEW.published_at, NEW.published_by)
           IS DISTINCT FROM
           (OLD.id, OLD.workshop_id, OLD.version, OLD.version_order, OLD.digest, OLD.bundle, OLD.title, OLD.summary,
            OLD.tags, OLD.published_at, OLD.published_by) THEN
            RAISE EXCEPTION 'published versions are immutable; only yanked_at and yanked_by may change'
                USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER versions_immutable BEFORE UPDATE ON nalabo.workshop_versions
        FOR EACH ROW EXECUTE FUNCTION nalabo.keep_versions_immutable();

    -- Roles and plans are changed by admins only; roles by super_admins only; nobody changes their own.
    CREATE FUNCTION nalabo.guard_users() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.handle <> OLD.handle OR NEW.db_role <> OLD.db_role OR NEW.created_at <> OLD.created_at THEN
            RAISE EXCEPTION 'a user''s handle and role mapping cannot change' USING ERRCODE = '42501';
        END IF;
        IF nalabo.is_owner(current_user) THEN
            RETURN NEW;
        END IF;
        IF OLD.db_role = current_user THEN
            RAISE EXCEPTION 'you cannot change your own plan, role or status' USING ERRCODE = '42501';
        END IF;
        IF (NEW.role IS DISTINCT FROM OLD.role OR OLD.role <> 'user') AND NOT nalabo.is_super_admin(current_user) THEN
            RAISE EXCEPTION 'only a super_admin changes roles or changes an admin' USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER users_guarded BEFORE UPDATE ON nalabo.users FOR EACH ROW EXECUTE FUNCTION nalabo.guard_users();

    -- The plan's published-workshop quota, checked under a per-owner lock so concurrent publishers cannot
    -- pass it together. SECURITY DEFINER to count the owner's workshops whatever the caller may see.
    CREATE FUNCTION nalabo.enforce_workshop_quota() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        quota integer;
        plan_name text;
        published integer;
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('nalabo.publish'), NEW.owner_id::integer);
        IF EXISTS (SELECT 1 FROM nalabo.workshops WHERE owner_id = NEW.owner_id AND slug = NEW.slug) THEN
            RETURN NEW; -- a concurrent publisher created it; ON CONFLICT takes over
        END IF;
        SELECT u.plan, p.max_published_workshops INTO plan_name, quota
            FROM nalabo.users u JOIN nalabo.plans p ON p.name = u.plan WHERE u.id = NEW.owner_id;
        IF quota IS NOT NULL THEN
            SELECT count(*) INTO published FROM nalabo.workshops w
                WHERE w.owner_id = NEW.owner_id
                  AND EXISTS (SELECT 1 FROM nalabo.workshop_versions v WHERE v.workshop_id = w.id AND v.yanked_at IS NULL);
            IF published >= quota THEN
                RAISE EXCEPTION 'the % plan allows % published workshops, and % are published', plan_name, quota, published
                    USING ERRCODE = 'NL402', HINT = 'yank a workshop you no longer need, or ask an admin for a larger plan';
            END IF;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER workshops_quota BEFORE INSERT ON nalabo.workshops FOR EACH ROW EXECUTE FUNCTION nalabo.enforce_workshop_quota();

    -- Folds each recorded attempt into challenge_progress. SECURITY DEFINER: learners cannot write progress
    -- rows themselves; the attempt it summarises already passed the attempts policy.
    CREATE FUNCTION nalabo.record_progress() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        IF NEW.skipped THEN
            RETURN NEW;
        END IF;
        INSERT INTO nalabo.challenge_progress AS p
            (session_id, challenge, workshop_id, owner_id, learner_id, started_at, attempts, first_passed_at)
        SELECT s.id, NEW.challenge, w.id, w.owner_id, s.learner_id, s.started_at, 1,
               CASE WHEN NEW.passed THEN NEW.attempted_at END
        FROM nalabo.workshop_sessions s
        JOIN nalabo.workshop_versions v ON v.id = s.version_id
        JOIN nalabo.workshops w ON w.id = v.workshop_id
        WHERE s.id = NEW.session_id
        ON CONFLICT (session_id, challenge) DO UPDATE
            SET attempts = p.attempts + 1,
                first_passed_at = CASE WHEN NEW.passed THEN least(p.first_passed_at, NEW.attempted_at) ELSE p.first_passed_at END;
        RETURN NEW;
    END $$;
    CREATE TRIGGER attempts_progress AFTER INSERT ON nalabo.challenge_attempts
        FOR EACH ROW EXECUTE FUNCTION nalabo.record_progress();

    -- Publishes one version in one round trip; runs as the caller, so every policy above applies.
    CREATE FUNCTION nalabo.publish(p_slug text, p_version text, p_version_order text, p_digest text, p_bundle jsonb,
                                   p_title text, p_summary text, p_tags text[], p_challenges jsonb)
        RETURNS text LANGUAGE plpgsql SET search_path = nalabo, pg_temp AS $$
    DECLARE
        me bigint := nalabo.user_id(current_user);
        workshop bigint;
        existing record;
        new_version bigint;
    BEGIN
        IF me IS NULL THEN
            RAISE EXCEPTION 'the role % is not a nalabo user', current_user USING ERRCODE = '42501';
        END IF;
        SELECT id INTO workshop FROM nalabo.workshops WHERE owner_id = me AND slug = p_slug;
        IF workshop IS NULL THEN
            INSERT INTO nalabo.workshops (owner_id, slug) VALUES (me, p_slug)
                ON CONFLICT (owner_id, slug) DO NOTHING RETURNING id INTO workshop;
            IF workshop IS NULL THEN
                SELECT id INTO workshop FROM nalabo.workshops WHERE owner_id = me AND slug = p_slug;
            END IF;
        END IF;
        SELECT digest, yanked_at INTO existing FROM nalabo.workshop_versions WHERE workshop_id = workshop AND version = p_version;
        IF FOUND THEN
            IF existing.digest = p_digest AND existing.yanked_at IS NULL THEN
                RETURN 'unchanged';
            ELSIF existing.yanked_at IS NOT NULL THEN
                RAISE EXCEPTION 'version % of % was yanked and is never reused', p_version, p_slug
                    USING ERRCODE = 'NL409', HINT = 'bump metadata.version';
            END IF;
            RAISE EXCEPTION 'version % of % is already published with other content', p_version, p_slug
                USING ERRCODE = 'NL409', HINT = 'bump metadata.version';
        END IF;
        INSERT INTO nalabo.workshop_versions (workshop_id, version, version_order, digest, bundle, title, summary, tags, published_by)
            VALUES (workshop, p_version, p_version_order, p_digest, p_bundle, p_title, p_summary, p_tags, me)
            RETURNING id INTO new_version;
        INSERT INTO nalabo.challenges (version_id, challenge, step, points, position)
            SELECT new_version, c->>'id', c->>'step', (c->>'points')::integer, ordinality::integer
            FROM jsonb_array_elements(p_challenges) WITH ORDINALITY AS t(c, ordinality);
        INSERT INTO nalabo.audit_events (actor_id, action, target, details)
            VALUES (me, 'publish', p_slug || '@' || p_version, jsonb_build_object('digest', p_digest));
        RETURN 'published';
    END $$;

    -- Lets a nalabo user's login role use the catalogue. Only roles an admin has added to users (the users
    -- policies decide who may) are granted anything.
    CREATE FUNCTION nalabo.grant_access(member name) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM nalabo.users WHERE db_role = member AND NOT disabled) THEN
            EXECUTE format('GRANT nalabo_user TO %I', member);
        END IF;
    END $$;

    GRANT SELECT ON nalabo.plans, nalabo.workshops, nalabo.workshop_versions, nalabo.challenges,
                    nalabo.workshop_sessions, nalabo.challenge_attempts, nalabo.challenge_progress, nalabo.audit_events,
                    nalabo.users TO nalabo_user;
    GRANT INSERT ON nalabo.workshops, nalabo.workshop_versions, nalabo.challenges, nalabo.workshop_sessions,
                    nalabo.challenge_attempts, nalabo.audit_events, nalabo.users TO nalabo_user;
    GRANT UPDATE (yanked_at, yanked_by) ON nalabo.workshop_versions TO nalabo_user;
    GRANT UPDATE (ended_at, status, score) ON nalabo.workshop_sessions TO nalabo_user;
    GRANT UPDATE (plan, role, disabled) ON nalabo.users TO nalabo_user;
    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA nalabo FROM PUBLIC;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA nalabo TO nalabo_user;
    """#
}
