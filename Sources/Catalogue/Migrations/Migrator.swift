import WorkshopSpec

/// Applies ``Migration/all`` in order: one transaction each, a checksum recorded for each, an advisory lock
/// so two migrators never race, and a refusal to touch a schema that is newer than this nalabo or whose
/// applied migrations were edited. Afterwards it syncs the plan limits from WorkshopSpec's `Plan` table,
/// the only place they are defined.
public struct Migrator {
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The database has migrations this nalabo does not know.
        case schemaNewer(database: Int, known: Int)
        /// An applied migration's text differs from this nalabo's.
        case editedMigration(version: Int, name: String)

        public var description: String {
            switch self {
            case .schemaNewer(let database, let known):
                "the catalogue's schema is at version \(database), newer than this nalabo knows (\(known)); upgrade nalabo"
            case .editedMigration(let version, let name):
                "applied migration \(version) (\(name)) differs from this nalabo's; migrations must never be edited"
            }
        }
    }

    /// What a run did.
    public struct Outcome: Sendable, Equatable {
        public var applied: [Int]
        public var version: Int
    }

    let connection: Connection
    let migrations: [Migration]

    public init(_ connection: Connection, migrations: [Migration] = Migration.all) {
        self.connection = connection
        self.migrations = migrations
    }

    private static let lockKey = "7311457"  // any constant shared by every nalabo migrator

    public func run() throws -> Outcome {
        try connection.execute("SELECT pg_advisory_lock($1::bigint)", [Self.lockKey])
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1::bigint)", [Self.lockKey]) }
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS public.nalabo_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        try connection.execute("ALTER TABLE public.nalabo_migrations ENABLE ROW LEVEL SECURITY")
        try connection.execute("ALTER TABLE public.nalabo_migrations FORCE ROW LEVEL SECURITY")
        try connection.execute("REVOKE ALL ON public.nalabo_migrations FROM PUBLIC")
        try connection.execute("""
            DO $$ BEGIN
                CREATE POLICY owner_only ON public.nalabo_migrations
                    USING (pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'public.nalabo_migrations'::regclass), 'USAGE'));
            EXCEPTION WHEN duplicate_object THEN NULL;
            END $$
            """)
        let applied = try connection.execute("SELECT version, name, checksum FROM public.nalabo_migrations ORDER BY version").records
        let known = migrations.map(\.version).max() ?? 0
        if let newest = applied.compactMap({ $0.int("version") }).max(), newest > known {
            throw Problem.schemaNewer(database: newest, known: known)
        }
        for row in applied {
            guard let version = row.int("version"), let migration = migrations.first(where: { $0.version == version }) else { continue }
            if row["checksum"] != checksum(migration) {
                throw Problem.editedMigration(version: version, name: migration.name)
            }
        }
        let done = Set(applied.compactMap { $0.int("version") })
        var outcome = Outcome(applied: [], version: done.max() ?? 0)
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(migration.version) {
            try connection.transaction(attempts: 1) { connection in
                try connection.executeScript(StaticScript(text: migration.sql))
                try connection.execute("INSERT INTO public.nalabo_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                                       [String(migration.version), migration.name, checksum(migration)])
            }
            outcome.applied.append(migration.version)
            outcome.version = migration.version
        }
        try syncPlans()
        return outcome
    }

    /// Writes WorkshopSpec's plan table into the database, where publishing, starting a session and the
    /// quota read it: one definition of the limits.
    private func syncPlans() throws {
        for plan in Plan.all {
            try connection.execute("""
                INSERT INTO nalabo.plans (name, max_published_workshops, max_containers, max_cpus, max_memory, max_pids, max_disk,
                                          max_ports, max_steps, max_challenges, max_session_seconds, network_modes, max_bundle)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, string_to_array($12, ','), $13)
                ON CONFLICT (name) DO UPDATE SET
                    max_published_workshops = EXCLUDED.max_published_workshops, max_containers = EXCLUDED.max_containers,
                    max_cpus = EXCLUDED.max_cpus, max_memory = EXCLUDED.max_memory, max_pids = EXCLUDED.max_pids,
                    max_disk = EXCLUDED.max_disk, max_ports = EXCLUDED.max_ports, max_steps = EXCLUDED.max_steps,
                    max_challenges = EXCLUDED.max_challenges, max_session_seconds = EXCLUDED.max_session_seconds,
                    network_modes = EXCLUDED.network_modes, max_bundle = EXCLUDED.max_bundle
                """, [plan.id, plan.maxPublishedWorkshops.map(String.init), String(plan.maxContainers), plan.maxCPUs.formatted,
                      String(plan.maxMemory.bytes), String(plan.maxPIDs), String(plan.maxDisk.bytes), String(plan.maxPortsPerContainer),
                      String(plan.maxSteps), String(plan.maxChallenges), String(plan.maxSession.seconds),
                      plan.networkModes.map(\.rawValue).joined(separator: ","), String(plan.maxBundle.bytes)])
        }
    }

    func checksum(_ migration: Migration) -> String {
        SHA256.hex(Array(migration.sql.utf8))
    }
}
