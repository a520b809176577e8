/// The database enforces what the client checks (a security review's findings, fixed).
///
/// - Identity: helpers take no argument; they answer for the caller only (`nalabo.caller()`: the role set
///   with SET ROLE, else the login role), so nobody can ask whether someone else is an admin.
/// - Writes go through SECURITY DEFINER functions, never through table grants: `publish(bundle)` derives
///   the digest, metadata and challenge rows from the canonical bundle and checks the owner's plan limits;
///   `start_session`, `record_attempt` and `end_session` check every attempt against the version's
///   challenges, stamp server time and compute the score. Sessions are marked `self-reported`, or
///   `verified` when started through a grader (a member of `nalabo_grader`, the portal).
/// - The published-workshop quota is counted on every path that raises the count: a new workshop, a new
///   version of a workshop whose versions are all yanked, an un-yank.
/// - Audit events are written by triggers with the caller and `now()`; users cannot write them. `yanked_at`
///   and `yanked_by` are stamped by the database.
/// - Catalogue text follows the spec's rules (CHECK constraints): no control characters in titles.
///
/// Row-level security is no longer FORCEd: the catalogue's owner (the role that ran `migrate`, which the
/// policies let do everything anyway) bypasses it, which is what lets the definer functions write.
enum SchemaV2 {
    static let sql = #"""
    DO $$
    BEGIN
        CREATE ROLE nalabo_grader NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- another catalogue in this cluster created it
    END
    $$;

    -- The plan limits, synced from WorkshopSpec's plan table by every `migrate` (the one definition).
    ALTER TABLE nalabo.plans
        ADD COLUMN max_containers integer,
        ADD COLUMN max_cpus numeric,
        ADD COLUMN max_memory bigint,
        ADD COLUMN max_pids integer,
        ADD COLUMN max_disk bigint,
        ADD COLUMN max_ports integer,
        ADD COLUMN max_steps integer,
        ADD COLUMN max_challenges integer,
        ADD COLUMN max_session_seconds integer,
        ADD COLUMN network_modes text[],
        ADD COLUMN max_bundle bigint;

    ALTER TABLE nalabo.workshop_versions ADD COLUMN bundle_bytes integer;
    ALTER TABLE nalabo.workshop_sessions
        ADD COLUMN grading text NOT NULL DEFAULT 'self-reported' CHECK (grading IN ('self-reported', 'verified'));
    ALTER TABLE nalabo.challenge_progress
        ADD COLUMN grading text NOT NULL DEFAULT 'self-reported' CHECK (grading IN ('self-reported', 'verified'));

    -- Catalogue text follows the spec's rules, whoever writes it (NOT VALID: rows from before are kept).
    ALTER TABLE nalabo.workshops ADD CONSTRAINT workshops_slug_format
        CHECK (slug ~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$') NOT VALID;
    ALTER TABLE nalabo.workshop_versions ADD CONSTRAINT versions_version_format
        CHECK (version ~ '^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-((0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?$') NOT VALID;
    ALTER TABLE nalabo.workshop_versions ADD CONSTRAINT versions_title_text
        CHECK (char_length(title) BETWEEN 1 AND 120 AND title !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID;
    ALTER TABLE nalabo.workshop_versions ADD CONSTRAINT versions_summary_text
        CHECK (summary IS NULL OR (char_length(summary) <= 500 AND summary !~ '[\x01-\x08\x0b-\x1f\x7f-\x9f]')) NOT VALID;
    -- Every element a lowercase label (no NULL, no empty string, no comma hidden in one).
    CREATE FUNCTION nalabo.valid_labels(p_labels text[]) RETURNS boolean LANGUAGE sql IMMUTABLE
        AS $$ SELECT pg_catalog.array_position(p_labels, NULL) IS NULL
                     AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p_labels) l WHERE l !~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$') $$;
    ALTER TABLE nalabo.workshop_versions ADD CONSTRAINT versions_tags_format CHECK (nalabo.valid_labels(tags)) NOT VALID;
    ALTER TABLE nalabo.challenges ADD CONSTRAINT challenges_id_format
        CHECK (challenge ~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' AND step ~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' AND points >= 0) NOT VALID;

    -- The policies are rebuilt on the argument-free helpers below.
    DROP POLICY plans_owner ON nalabo.plans;
    DROP POLICY users_read ON nalabo.users;
    DROP POLICY users_add ON nalabo.users;
    DROP POLICY users_change ON nalabo.users;
    DROP POLICY workshops_read ON nalabo.workshops;
    DROP POLICY workshops_create ON nalabo.workshops;
    DROP POLICY versions_read ON nalabo.workshop_versions;
    DROP POLICY versions_publish ON nalabo.workshop_versions;
    DROP POLICY versions_yank ON nalabo.workshop_versions;
    DROP POLICY challenges_read ON nalabo.challenges;
    DROP POLICY challenges_publish ON nalabo.challenges;
    DROP POLICY sessions_read ON nalabo.workshop_sessions;
    DROP POLICY sessions_start ON nalabo.workshop_sessions;
    DROP POLICY sessions_progress ON nalabo.workshop_sessions;
    DROP POLICY attempts_record ON nalabo.challenge_attempts;
    DROP POLICY progress_read ON nalabo.challenge_progress;
    DROP POLICY progress_owner ON nalabo.challenge_progress;
    DROP POLICY audit_read ON nalabo.audit_events;
    DROP POLICY audit_write ON nalabo.audit_events;
    DROP TRIGGER workshops_quota ON nalabo.workshops;
    DROP FUNCTION nalabo.enforce_workshop_quota();
    DROP FUNCTION nalabo.publish(text, text, text, text, jsonb, text, text, text[], jsonb);
    DROP FUNCTION nalabo.user_id(name);
    DROP FUNCTION nalabo.is_admin(name);
    DROP FUNCTION nalabo.is_super_admin(name);
    DROP FUNCTION nalabo.is_owner(name);

    ALTER TABLE nalabo.plans NO FORCE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.users NO FORCE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.workshops NO FORCE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.workshop_versions NO FORCE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.challenges NO FORCE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.workshop_sessions NO FORCE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.challenge_attempts NO FORCE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.challenge_progress NO FORCE ROW LEVEL SECURITY;
    ALTER TABLE nalabo.audit_events NO FORCE ROW LEVEL SECURITY;

    -- Who is asking: the role of SET [LOCAL] ROLE (the portal acting as a user; PostgreSQL lets a session
    -- set only roles its login role is a member of), else the login role. Inside a SECURITY DEFINER function
    -- current_user is the function's owner, but this still names the caller.
    CREATE FUNCTION nalabo.caller() RETURNS name LANGUAGE sql STABLE
        AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user)::name $$;

    -- The caller's user id; NULL for a role that is not a nalabo user, or a disabled one: fail closed.
    CREATE FUNCTION nalabo.my_id() RETURNS bigint
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ BEGIN RETURN (SELECT id FROM nalabo.users WHERE db_role = nalabo.caller() AND NOT disabled); END $$;

    -- The role that owns the catalogue (ran `migrate`) administers it, which is how the first super_admin is made.
    CREATE FUNCTION nalabo.is_owner() RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ BEGIN RETURN coalesce((SELECT nalabo.caller() = pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'nalabo'), false); END $$;

    CREATE FUNCTION nalabo.is_admin() RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ BEGIN
            RETURN nalabo.is_owner()
                OR EXISTS (SELECT 1 FROM nalabo.users WHERE db_role = nalabo.caller() AND NOT disabled AND role IN ('admin', 'super_admin'));
        END $$;

    CREATE FUNCTION nalabo.is_super_admin() RETURNS boolean
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ BEGIN
            RETURN nalabo.is_owner()
                OR EXISTS (SELECT 1 FROM nalabo.users WHERE db_role = nalabo.caller() AND NOT disabled AND role = 'super_admin');
        END $$;

    -- Whether this connection grades on the server (the portal's login role is a member of nalabo_grader).
    CREATE FUNCTION nalabo.is_grader() RETURNS boolean LANGUAGE sql STABLE
        AS $$ SELECT pg_has_role(session_user, 'nalabo_grader', 'MEMBER') $$;

    -- In policies every helper call is wrapped in a scalar subquery, evaluated once per statement.
    CREATE POLICY users_read ON nalabo.users FOR SELECT
        USING (db_role = (SELECT nalabo.caller()) OR (SELECT nalabo.is_admin()));
    CREATE POLICY users_add ON nalabo.users FOR INSERT
        WITH CHECK ((SELECT nalabo.is_admin()) AND (role = 'user' OR (SELECT nalabo.is_super_admin())));
    CREATE POLICY users_change ON nalabo.users FOR UPDATE
        USING ((SELECT nalabo.is_admin())) WITH CHECK ((SELECT nalabo.is_admin()));
    CREATE POLICY workshops_read ON nalabo.workshops FOR SELECT
        USING ((SELECT nalabo.my_id()) IS NOT NULL OR (SELECT nalabo.is_admin()));
    CREATE POLICY versions_read ON nalabo.workshop_versions FOR SELECT
        USING ((SELECT nalabo.my_id()) IS NOT NULL OR (SELECT nalabo.is_admin()));
    CREATE POLICY versions_yank ON nalabo.workshop_versions FOR UPDATE
        USING (EXISTS (SELECT 1 FROM nalabo.workshops w WHERE w.id = workshop_id AND w.owner_id = (SELECT nalabo.my_id()))
               OR (SELECT nalabo.is_admin()))
        WITH CHECK (EXISTS (SELECT 1 FROM nalabo.workshops w WHERE w.id = workshop_id AND w.owner_id = (SELECT nalabo.my_id()))
                    OR (SELECT nalabo.is_admin()));
    CREATE POLICY challenges_read ON nalabo.challenges FOR SELECT
        USING ((SELECT nalabo.my_id()) IS NOT NULL OR (SELECT nalabo.is_admin()));
    CREATE POLICY sessions_read ON nalabo.workshop_sessions FOR SELECT
        USING (learner_id = (SELECT nalabo.my_id())
               OR EXISTS (SELECT 1 FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id
                          WHERE v.id = version_id AND w.owner_id = (SELECT nalabo.my_id()))
               OR (SELECT nalabo.is_admin()));
    CREATE POLICY progress_read ON nalabo.challenge_progress FOR SELECT
        USING (learner_id = (SELECT nalabo.my_id()) OR owner_id = (SELECT nalabo.my_id()) OR (SELECT nalabo.is_admin()));
    CREATE POLICY audit_read ON nalabo.audit_events FOR SELECT
        USING ((SELECT nalabo.is_admin()) OR actor_id = (SELECT nalabo.my_id()));

    -- Only the definer functions and triggers below write; users keep SELECT, the admin columns of users,
    -- and yanked_at (whose value, and yanked_by, the database stamps).
    REVOKE INSERT ON nalabo.workshops, nalabo.workshop_versions, nalabo.challenges, nalabo.workshop_sessions,
                     nalabo.challenge_attempts, nalabo.audit_events FROM nalabo_user;
    REVOKE UPDATE ON nalabo.workshop_sessions FROM nalabo_user;
    REVOKE UPDATE (yanked_by) ON nalabo.workshop_versions FROM nalabo_user;

    -- The audit log, written only here.
    CREATE FUNCTION nalabo.write_audit(p_action text, p_target text, p_details jsonb) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        INSERT INTO nalabo.audit_events (at, actor_id, actor_role, action, target, details)
            VALUES (now(), nalabo.my_id(), nalabo.caller(), p_action, p_target, coalesce(p_details, '{}'));
    END $$;

    CREATE FUNCTION nalabo.workshop_name(p_workshop bigint) RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp
        AS $$ SELECT u.handle || '/' || w.slug FROM nalabo.workshops w JOIN nalabo.users u ON u.id = w.owner_id WHERE w.id = p_workshop $$;

    CREATE FUNCTION nalabo.audit_users() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM nalabo.write_audit('user.add', NEW.handle,
                jsonb_build_object('db_role', NEW.db_role, 'role', NEW.role, 'plan', NEW.plan));
            RETURN NEW;
        END IF;
        IF NEW.plan IS DISTINCT FROM OLD.plan THEN
            PERFORM nalabo.write_audit('user.set-plan', NEW.handle, jsonb_build_object('plan', NEW.plan, 'was', OLD.plan));
        END IF;
        IF NEW.role IS DISTINCT FROM OLD.role THEN
            PERFORM nalabo.write_audit('user.set-role', NEW.handle, jsonb_build_object('role', NEW.role, 'was', OLD.role));
        END IF;
        IF NEW.disabled IS DISTINCT FROM OLD.disabled THEN
            PERFORM nalabo.write_audit(CASE WHEN NEW.disabled THEN 'user.disable' ELSE 'user.enable' END, NEW.handle, '{}');
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER users_audited AFTER INSERT OR UPDATE ON nalabo.users FOR EACH ROW EXECUTE FUNCTION nalabo.audit_users();

    -- Roles and plans are changed by admins only; roles by super_admins only; nobody changes their own.
    CREATE OR REPLACE FUNCTION nalabo.guard_users() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.handle <> OLD.handle OR NEW.db_role <> OLD.db_role OR NEW.created_at <> OLD.created_at THEN
            RAISE EXCEPTION 'a user''s handle and role mapping cannot change' USING ERRCODE = '42501';
        END IF;
        IF nalabo.is_owner() THEN
            RETURN NEW;
        END IF;
        IF OLD.db_role = nalabo.caller() THEN
            RAISE EXCEPTION 'you cannot change your own plan, role or status' USING ERRCODE = '42501';
        END IF;
        IF (NEW.role IS DISTINCT FROM OLD.role OR OLD.role <> 'user') AND NOT nalabo.is_super_admin() THEN
            RAISE EXCEPTION 'only a super_admin changes roles or changes an admin' USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
    END $$;

    -- A Kubernetes quantity in bytes (`256Mi`, `1Gi`, `512M`, `1e9`, `1.5Gi`); NULL when it is not one.
    CREATE FUNCTION nalabo.quantity_bytes(p text) RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
        m text[];
        factor numeric := 1;
        value numeric;
    BEGIN
        m := regexp_match(p, '^([0-9]{1,18})(\.[0-9]{1,9})?(Ki|Mi|Gi|Ti|Pi|k|K|M|G|T|P|[eE][0-9]{1,2})?$');
        IF m IS NULL THEN RETURN NULL; END IF;
        factor := CASE
            WHEN m[3] IS NULL THEN 1
            WHEN m[3] ~ '^[eE]' THEN 10::numeric ^ substr(m[3], 2)::integer
            ELSE (ARRAY[1024, 1048576, 1073741824, 1099511627776, 1125899906842624, 1000, 1000, 1000000, 1000000000,
                        1000000000000, 1000000000000000]::numeric[])
                 [array_position(ARRAY['Ki','Mi','Gi','Ti','Pi','k','K','M','G','T','P'], m[3])]
        END;
        value := (m[1] || coalesce(m[2], ''))::numeric * factor;
        IF value <> trunc(value) THEN RETURN NULL; END IF;
        RETURN value;
    END $$;

    -- A spec duration (`90s`, `45m`, `1h30m`) in seconds; NULL when it is not one.
    CREATE FUNCTION nalabo.duration_seconds(p text) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE m text[];
    BEGIN
        m := regexp_match(p, '^(?:([0-9]{1,9})h)?(?:([0-9]{1,9})m)?(?:([0-9]{1,9})s)?$');
        IF m IS NULL OR p = '' THEN RETURN NULL; END IF;
        RETURN coalesce(m[1]::bigint, 0) * 3600 + coalesce(m[2]::bigint, 0) * 60 + coalesce(m[3]::bigint, 0);
    END $$;

    -- The key whose byte order is semver precedence; the same as the Swift client's `orderKey`.
    CREATE FUNCTION nalabo.version_order(p text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
        core text := split_part(p, '-', 1);
        pre text := substr(p, length(split_part(p, '-', 1)) + 2);
        part text;
        key text := '';
        identifiers text[] := '{}';
    BEGIN
        FOREACH part IN ARRAY string_to_array(core, '.') LOOP
            key := key || CASE WHEN key = '' THEN '' ELSE '.' END || CASE WHEN length(part) >= 10 THEN part ELSE lpad(part, 10, '0') END;
        END LOOP;
        IF pre = '' THEN RETURN key || '~'; END IF;
        FOREACH part IN ARRAY string_to_array(pre, '.') LOOP
            identifiers := identifiers || CASE
                WHEN part ~ '^[0-9]+$' THEN '0' || CASE WHEN length(part) >= 10 THEN part ELSE lpad(part, 10, '0') END
                ELSE '1' || part END;
        END LOOP;
        RETURN key || '-' || array_to_string(identifiers, '.');
    END $$;

    -- Every way a bundle's spec exceeds a plan, in words; empty when it fits. The one SQL reading of the
    -- limits that WorkshopSpec's plan table defines (and `migrate` syncs into nalabo.plans).
    CREATE FUNCTION nalabo.plan_violations(p_spec jsonb, p_bundle_bytes bigint, p_plan text) RETURNS text[]
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        plan nalabo.plans;
        problems text[] := '{}';
        container jsonb;
        cname text;
        cpus numeric;
        bytes numeric;
        n integer;
        seconds integer;
        network text := p_spec #>> '{environment,network}';
    BEGIN
        SELECT * INTO plan FROM nalabo.plans WHERE plans.name = p_plan;
        IF NOT FOUND OR plan.max_containers IS NULL THEN
            RETURN ARRAY[format('the plan %L has no limits in this catalogue; run `nalabo catalogue migrate`', p_plan)];
        END IF;
        IF jsonb_typeof(p_spec #> '{environment,containers}') IS DISTINCT FROM 'array' THEN
            RETURN ARRAY['the bundle has no environment.containers list'];
        END IF;
        n := jsonb_array_length(p_spec #> '{environment,containers}');
        IF n > plan.max_containers THEN
            problems := problems || format('%s containers (at most %s)', n, plan.max_containers);
        END IF;
        FOR container IN SELECT value FROM jsonb_array_elements(p_spec #> '{environment,containers}') LOOP
            cname := coalesce(container->>'name', '?');
            -- The spec's lower bounds too: engines read 0 or -1 as "unlimited".
            cpus := CASE WHEN jsonb_typeof(container #> '{resources,cpus}') = 'number' THEN (container #>> '{resources,cpus}')::numeric END;
            IF cpus IS NULL OR cpus <= 0 OR cpus > plan.max_cpus THEN
                problems := problems || format('container %s: cpus %s (at most %s)', cname, coalesce(cpus::text, 'missing'), plan.max_cpus);
            END IF;
            bytes := nalabo.quantity_bytes(container #>> '{resources,memory}');
            IF bytes IS NULL OR bytes < 6291456 OR bytes > plan.max_memory THEN
                problems := problems || format('container %s: memory %s (6Mi to %s bytes)', cname,
                                               coalesce(container #>> '{resources,memory}', 'missing'), plan.max_memory);
            END IF;
            n := CASE WHEN jsonb_typeof(container #> '{resources,pids}') = 'number'
                           AND (container #>> '{resources,pids}')::numeric = trunc((container #>> '{resources,pids}')::numeric)
                           AND (container #>> '{resources,pids}')::numeric BETWEEN 8 AND 2147483647
                      THEN (container #>> '{resources,pids}')::numeric END;
            IF n IS NULL OR n > plan.max_pids THEN
                problems := problems || format('container %s: pids %s (8 to %s)', cname, coalesce(container #>> '{resources,pids}', 'missing'), plan.max_pids);
            END IF;
            IF container #> '{resources,disk}' IS NOT NULL THEN
                bytes := nalabo.quantity_bytes(container #>> '{resources,disk}');
                IF bytes IS NULL OR bytes < 16777216 OR bytes > plan.max_disk THEN
                    problems := problems || format('container %s: disk %s (16Mi to %s bytes)', cname, container #>> '{resources,disk}', plan.max_disk);
                END IF;
            END IF;
            n := CASE WHEN jsonb_typeof(container->'ports') = 'array' THEN jsonb_array_length(container->'ports') ELSE 0 END;
            IF n > plan.max_ports THEN
                problems := problems || format('container %s: %s ports (at most %s)', cname, n, plan.max_ports);
            END IF;
        END LOOP;
        n := CASE WHEN jsonb_typeof(p_spec->'steps') = 'array' THEN jsonb_array_length(p_spec->'steps') END;
        IF n IS NULL OR n > plan.max_steps THEN
            problems := problems || format('%s steps (at most %s)', coalesce(n::text, 'no list of'), plan.max_steps);
        END IF;
        SELECT count(*) INTO n FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_spec->'steps') = 'array' THEN p_spec->'steps' ELSE '[]' END) s,
            jsonb_array_elements(CASE WHEN jsonb_typeof(s.value->'challenges') = 'array' THEN s.value->'challenges' ELSE '[]' END) c;
        IF n > plan.max_challenges THEN
            problems := problems || format('%s challenges (at most %s)', n, plan.max_challenges);
        END IF;
        seconds := nalabo.duration_seconds(p_spec #>> '{limits,session}');
        IF seconds IS NULL OR seconds > plan.max_session_seconds THEN
            problems := problems || format('session %s (at most %s seconds)', coalesce(p_spec #>> '{limits,session}', 'missing'), plan.max_session_seconds);
        END IF;
        IF network IS NULL OR NOT network = ANY (plan.network_modes) THEN
            problems := problems || format('network mode %s (allowed: %s)', coalesce(network, 'missing'), array_to_string(plan.network_modes, ', '));
        END IF;
        IF p_bundle_bytes IS NOT NULL AND p_bundle_bytes > plan.max_bundle THEN
            problems := problems || format('bundle of %s bytes (at most %s)', p_bundle_bytes, plan.max_bundle);
        END IF;
        RETURN problems;
    END $$;

    -- The published-workshop quota, under the per-owner lock the caller holds. Called where the count can
    -- rise: publishing into a workshop with no live version, and un-yanking its only version.
    CREATE FUNCTION nalabo.check_quota(p_owner bigint) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        quota integer;
        plan_name text;
        published integer;
    BEGIN
        SELECT u.plan, p.max_published_workshops INTO plan_name, quota
            FROM nalabo.users u JOIN nalabo.plans p ON p.name = u.plan WHERE u.id = p_owner;
        IF quota IS NULL THEN RETURN; END IF;
        SELECT count(*) INTO published FROM nalabo.workshops w
            WHERE w.owner_id = p_owner
              AND EXISTS (SELECT 1 FROM nalabo.workshop_versions v WHERE v.workshop_id = w.id AND v.yanked_at IS NULL);
        IF published >= quota THEN
            RAISE EXCEPTION 'the % plan allows % published workshops, and % are published', plan_name, quota, published
                USING ERRCODE = 'NL402', HINT = 'yank a workshop you no longer need, or ask an admin for a larger plan';
        END IF;
    END $$;

    -- The per-owner lock of the quota: the owner's users row, FOR UPDATE, taken inside the definer functions
    -- (users may not lock other users' rows: only admins pass the users UPDATE policy; an advisory lock, which
    -- anyone can take, would let anyone stall another's publishing). The count after the lock must see what the
    -- lock's previous holder committed, so only READ COMMITTED is allowed: a REPEATABLE READ snapshot taken
    -- before the lock would count without it.
    CREATE FUNCTION nalabo.lock_owner(p_owner bigint) RETURNS void LANGUAGE plpgsql SET search_path = nalabo, pg_temp AS $$
    BEGIN
        IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'publishing and un-yanking need READ COMMITTED transactions, not %', pg_catalog.current_setting('transaction_isolation')
                USING ERRCODE = '25001', HINT = 'run it outside an explicit REPEATABLE READ or SERIALIZABLE transaction';
        END IF;
        PERFORM 1 FROM nalabo.users WHERE id = p_owner FOR UPDATE;
    END $$;

    -- Publishes the canonical bundle text as an immutable version. Everything is derived from the bundle
    -- here: the digest (SHA-256 of these bytes), slug, version, title, summary, tags and challenge rows; the
    -- owner's plan limits are checked against it.
    CREATE FUNCTION nalabo.publish(p_bundle text) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        me bigint := nalabo.my_id();
        bundle jsonb;
        spec jsonb;
        meta jsonb;
        v_slug text;
        v_version text;
        v_digest text := 'sha256:' || encode(sha256(convert_to(p_bundle, 'UTF8')), 'hex');
        plan_name text;
        problems text[];
        workshop bigint;
        existing record;
        new_version bigint;
    BEGIN
        IF me IS NULL THEN
            RAISE EXCEPTION 'the role % is not a nalabo user', nalabo.caller() USING ERRCODE = '42501';
        END IF;
        BEGIN
            bundle := p_bundle::jsonb;
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'the bundle is not JSON' USING ERRCODE = '22023', HINT = 'publish with nalabo, which sends the canonical bundle';
        END;
        IF jsonb_typeof(bundle) <> 'object' OR bundle->>'format' IS DISTINCT FROM 'nalabo.bundle/v1' THEN
            RAISE EXCEPTION 'the bundle is not in the format nalabo.bundle/v1' USING ERRCODE = '22023';
        END IF;
        spec := bundle->'spec';
        meta := spec->'metadata';
        v_slug := meta->>'slug';
        v_version := meta->>'version';
        IF v_slug IS NULL OR v_slug !~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' THEN
            RAISE EXCEPTION 'the bundle''s metadata.slug %L is not a lowercase label', v_slug USING ERRCODE = '22023';
        END IF;
        IF v_version IS NULL
           OR v_version !~ '^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-((0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?$' THEN
            RAISE EXCEPTION 'the bundle''s metadata.version %L is not a semantic version', v_version USING ERRCODE = '22023';
        END IF;
        PERFORM nalabo.lock_owner(me);
        SELECT id INTO workshop FROM nalabo.workshops WHERE owner_id = me AND slug = v_slug;
        SELECT digest, yanked_at INTO existing FROM nalabo.workshop_versions WHERE workshop_id = workshop AND version = v_version;
        IF FOUND THEN
            IF existing.digest = v_digest AND existing.yanked_at IS NULL THEN
                RETURN 'unchanged';
            ELSIF existing.yanked_at IS NOT NULL THEN
                RAISE EXCEPTION 'version % of % was yanked and is never reused', v_version, v_slug
                    USING ERRCODE = 'NL409', HINT = 'bump metadata.version';
            END IF;
            RAISE EXCEPTION 'version % of % is already published with other content', v_version, v_slug
                USING ERRCODE = 'NL409', HINT = 'bump metadata.version';
        END IF;
        SELECT plan INTO plan_name FROM nalabo.users WHERE id = me;
        problems := nalabo.plan_violations(spec, octet_length(p_bundle), plan_name);
        IF cardinality(problems) > 0 THEN
            RAISE EXCEPTION 'the workshop exceeds the % plan: %', plan_name, array_to_string(problems, '; ')
                USING ERRCODE = 'NL402', HINT = 'nalabo validate --plan ' || plan_name || ' shows each value; or ask an admin for a larger plan';
        END IF;
        IF workshop IS NULL OR NOT EXISTS (SELECT 1 FROM nalabo.workshop_versions WHERE workshop_id = workshop AND yanked_at IS NULL) THEN
            PERFORM nalabo.check_quota(me);
        END IF;
        IF workshop IS NULL THEN
            INSERT INTO nalabo.workshops (owner_id, slug) VALUES (me, v_slug) RETURNING id INTO workshop;
        END IF;
        INSERT INTO nalabo.workshop_versions (workshop_id, version, version_order, digest, bundle, bundle_bytes, title, summary, tags, published_by)
            VALUES (workshop, v_version, nalabo.version_order(v_version), v_digest, bundle, octet_length(p_bundle),
                    meta->>'title', meta->>'summary',
                    ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(meta->'tags') = 'array' THEN meta->'tags' ELSE '[]' END)),
                    me)
            RETURNING id INTO new_version;
        INSERT INTO nalabo.challenges (version_id, challenge, step, points, position)
            SELECT new_version, c.value->>'id', s.value->>'id',
                   coalesce((SELECT sum((k.value->>'points')::integer) FROM jsonb_array_elements(
                       CASE WHEN jsonb_typeof(c.value->'checks') = 'array' THEN c.value->'checks' ELSE '[]' END) k), 0),
                   row_number() OVER (ORDER BY s.ordinality, c.ordinality)
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(spec->'steps') = 'array' THEN spec->'steps' ELSE '[]' END) WITH ORDINALITY s,
                 jsonb_array_elements(CASE WHEN jsonb_typeof(s.value->'challenges') = 'array' THEN s.value->'challenges' ELSE '[]' END) WITH ORDINALITY c;
        PERFORM nalabo.write_audit('publish', nalabo.workshop_name(workshop) || '@' || v_version, jsonb_build_object('digest', v_digest));
        RETURN 'published';
    END $$;

    -- The challenge rows of a published version never change.
    CREATE FUNCTION nalabo.keep_challenges_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the challenges of a published version are immutable' USING ERRCODE = '42501';
    END $$;
    CREATE TRIGGER challenges_immutable BEFORE UPDATE OR DELETE ON nalabo.challenges
        FOR EACH ROW EXECUTE FUNCTION nalabo.keep_challenges_immutable();

    -- A yank is stamped by the database (now(), the caller); an un-yank counts against the quota.
    CREATE FUNCTION nalabo.stamp_yank() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE owner bigint;
    BEGIN
        IF (OLD.yanked_at IS NULL) = (NEW.yanked_at IS NULL) THEN
            NEW.yanked_at := OLD.yanked_at;
            NEW.yanked_by := OLD.yanked_by;
            RETURN NEW;
        END IF;
        IF NEW.yanked_at IS NOT NULL THEN
            NEW.yanked_at := now();
            NEW.yanked_by := nalabo.my_id();
            RETURN NEW;
        END IF;
        SELECT owner_id INTO owner FROM nalabo.workshops WHERE id = NEW.workshop_id;
        PERFORM nalabo.lock_owner(owner);
        IF NOT EXISTS (SELECT 1 FROM nalabo.workshop_versions WHERE workshop_id = NEW.workshop_id AND yanked_at IS NULL AND id <> NEW.id) THEN
            PERFORM nalabo.check_quota(owner);
        END IF;
        NEW.yanked_by := NULL;
        RETURN NEW;
    END $$;
    CREATE TRIGGER versions_yank_stamped BEFORE UPDATE OF yanked_at, yanked_by ON nalabo.workshop_versions
        FOR EACH ROW EXECUTE FUNCTION nalabo.stamp_yank();

    CREATE FUNCTION nalabo.audit_yank() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        IF (OLD.yanked_at IS NULL) <> (NEW.yanked_at IS NULL) THEN
            PERFORM nalabo.write_audit(CASE WHEN NEW.yanked_at IS NULL THEN 'unyank' ELSE 'yank' END,
                                       nalabo.workshop_name(NEW.workshop_id) || '@' || NEW.version, '{}');
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER versions_yank_audited AFTER UPDATE ON nalabo.workshop_versions
        FOR EACH ROW EXECUTE FUNCTION nalabo.audit_yank();

    -- Progress rows carry the session's grading, so statistics show verified and self-reported apart.
    CREATE OR REPLACE FUNCTION nalabo.record_progress() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    BEGIN
        IF NEW.skipped THEN
            RETURN NEW;
        END IF;
        INSERT INTO nalabo.challenge_progress AS p
            (session_id, challenge, workshop_id, owner_id, learner_id, started_at, attempts, first_passed_at, grading)
        SELECT s.id, NEW.challenge, w.id, w.owner_id, s.learner_id, s.started_at, 1,
               CASE WHEN NEW.passed THEN NEW.attempted_at END, s.grading
        FROM nalabo.workshop_sessions s
        JOIN nalabo.workshop_versions v ON v.id = s.version_id
        JOIN nalabo.workshops w ON w.id = v.workshop_id
        WHERE s.id = NEW.session_id
        ON CONFLICT (session_id, challenge) DO UPDATE
            SET attempts = p.attempts + 1,
                first_passed_at = CASE WHEN NEW.passed THEN least(p.first_passed_at, NEW.attempted_at) ELSE p.first_passed_at END;
        RETURN NEW;
    END $$;

    -- What keeps a version from running now: its owner's current plan, checked again at every start.
    CREATE FUNCTION nalabo.version_violations(p_version bigint) RETURNS text[]
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE v_row record;
    BEGIN
        IF nalabo.my_id() IS NULL AND NOT nalabo.is_admin() THEN
            RAISE EXCEPTION 'the role % is not a nalabo user', nalabo.caller() USING ERRCODE = '42501';
        END IF;
        SELECT v.bundle, v.bundle_bytes, u.plan INTO v_row FROM nalabo.workshop_versions v
            JOIN nalabo.workshops w ON w.id = v.workshop_id JOIN nalabo.users u ON u.id = w.owner_id WHERE v.id = p_version;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no workshop version %', p_version USING ERRCODE = 'P0002';
        END IF;
        RETURN nalabo.plan_violations(v_row.bundle->'spec', v_row.bundle_bytes, v_row.plan);
    END $$;

    -- Starts the caller's session of a version. Its length comes from the bundle; the owner's plan is
    -- checked again (a plan may have shrunk since publishing). Graded `verified` when the connection is a
    -- grader's (the portal), `self-reported` otherwise.
    CREATE FUNCTION nalabo.start_session(p_version bigint) RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        me bigint := nalabo.my_id();
        v_row record;
        problems text[];
        seconds integer;
        new_id uuid;
    BEGIN
        IF me IS NULL THEN
            RAISE EXCEPTION 'the role % is not a nalabo user', nalabo.caller() USING ERRCODE = '42501';
        END IF;
        SELECT v.bundle, v.bundle_bytes, u.plan, u.handle, w.slug, v.version INTO v_row FROM nalabo.workshop_versions v
            JOIN nalabo.workshops w ON w.id = v.workshop_id JOIN nalabo.users u ON u.id = w.owner_id WHERE v.id = p_version;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no workshop version %', p_version USING ERRCODE = 'P0002';
        END IF;
        problems := nalabo.plan_violations(v_row.bundle->'spec', v_row.bundle_bytes, v_row.plan);
        IF cardinality(problems) > 0 THEN
            RAISE EXCEPTION '%/%@% exceeds its owner''s plan and cannot run: %', v_row.handle, v_row.slug, v_row.version,
                            array_to_string(problems, '; ')
                USING ERRCODE = 'NL402', HINT = 'the owner publishes a version within the plan, or an admin gives the owner a larger plan';
        END IF;
        seconds := nalabo.duration_seconds(v_row.bundle #>> '{spec,limits,session}');
        INSERT INTO nalabo.workshop_sessions (learner_id, version_id, started_at, expires_at, grading)
            VALUES (me, p_version, now(), now() + make_interval(secs => seconds),
                    CASE WHEN nalabo.is_grader() THEN 'verified' ELSE 'self-reported' END)
            RETURNING workshop_sessions.id INTO new_id;
        RETURN new_id;
    END $$;

    -- The caller's active session, locked; refuses sessions that ended, expired, or are graded elsewhere.
    CREATE FUNCTION nalabo.my_active_session(p_session uuid) RETURNS nalabo.workshop_sessions
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE s nalabo.workshop_sessions;
    BEGIN
        SELECT * INTO s FROM nalabo.workshop_sessions WHERE id = p_session AND learner_id = nalabo.my_id() FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no session % of yours', p_session USING ERRCODE = 'P0002';
        END IF;
        IF s.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'session % has ended', p_session USING ERRCODE = '42501';
        END IF;
        IF s.grading = 'verified' AND NOT nalabo.is_grader() THEN
            RAISE EXCEPTION 'session % is graded by the portal; results cannot be reported for it', p_session USING ERRCODE = '42501';
        END IF;
        RETURN s;
    END $$;

    -- Records one graded attempt, checked against the version's challenges and points, at server time.
    CREATE FUNCTION nalabo.record_attempt(p_session uuid, p_challenge text, p_passed boolean, p_points integer, p_skipped boolean)
        RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        s nalabo.workshop_sessions := nalabo.my_active_session(p_session);
        most integer;
    BEGIN
        IF s.expires_at <= now() THEN
            RAISE EXCEPTION 'session % expired at %', p_session, s.expires_at USING ERRCODE = '42501';
        END IF;
        SELECT points INTO most FROM nalabo.challenges WHERE version_id = s.version_id AND challenge = p_challenge;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'the workshop of session % has no challenge %', p_session, p_challenge USING ERRCODE = 'P0002';
        END IF;
        IF p_points IS NULL OR p_points < 0 OR p_points > most OR (p_skipped AND p_points <> 0) THEN
            RAISE EXCEPTION '% points for challenge % (it has %)', p_points, p_challenge, most USING ERRCODE = '22023';
        END IF;
        INSERT INTO nalabo.challenge_attempts (session_id, challenge, attempted_at, passed, points, skipped)
            VALUES (p_session, p_challenge, now(), coalesce(p_passed, false), p_points, coalesce(p_skipped, false));
    END $$;

    -- Ends a session; the database decides how: expired (past its time), completed (every challenge passed
    -- or skipped), else abandoned; the score is the best points of each challenge's graded attempts.
    CREATE FUNCTION nalabo.end_session(p_session uuid) RETURNS text
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = nalabo, pg_temp AS $$
    DECLARE
        s nalabo.workshop_sessions := nalabo.my_active_session(p_session);
        v_status text;
        v_score integer;
    BEGIN
        SELECT coalesce(sum(best), 0) INTO v_score FROM (
            SELECT max(points) AS best FROM nalabo.challenge_attempts
            WHERE session_id = p_session AND NOT skipped GROUP BY challenge) t;
        v_status := CASE
            WHEN s.expires_at <= now() THEN 'expired'
            WHEN NOT EXISTS (SELECT 1 FROM nalabo.challenges c WHERE c.version_id = s.version_id
                             AND NOT EXISTS (SELECT 1 FROM nalabo.challenge_attempts a
                                             WHERE a.session_id = p_session AND a.challenge = c.challenge AND (a.passed OR a.skipped)))
                THEN 'completed'
            ELSE 'abandoned' END;
        UPDATE nalabo.workshop_sessions SET ended_at = now(), status = v_status, score = v_score WHERE id = p_session;
        RETURN v_status;
    END $$;

    -- Only the API below is executable by users; the rest runs inside it or in triggers.
    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA nalabo FROM PUBLIC;
    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA nalabo FROM nalabo_user;
    GRANT EXECUTE ON FUNCTION nalabo.caller(), nalabo.my_id(), nalabo.is_owner(), nalabo.is_admin(), nalabo.is_super_admin(),
        nalabo.is_grader(), nalabo.handles(), nalabo.grant_access(name), nalabo.publish(text), nalabo.version_violations(bigint),
        nalabo.start_session(bigint), nalabo.record_attempt(uuid, text, boolean, integer, boolean), nalabo.end_session(uuid),
        nalabo.version_order(text), nalabo.quantity_bytes(text), nalabo.duration_seconds(text), nalabo.valid_labels(text[])
        TO nalabo_user;
    """#
}
