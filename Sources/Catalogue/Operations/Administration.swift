import WorkshopSpec

extension Catalogue {
    /// Every user; row-level security shows non-admins only themselves.
    public func users() throws -> [CatalogueUser] {
        try run("SELECT handle, db_role, role, plan, disabled FROM nalabo.users ORDER BY handle").records.compactMap(CatalogueUser.init)
    }

    /// Maps an existing PostgreSQL login role to a new nalabo user and lets it use the catalogue. Creating
    /// login roles and passwords stays with the DBA.
    public func addUser(handle: String, databaseRole: String, role: UserRole = .user, plan: String = Plan.free.id) throws {
        guard StringFormat.dnsLabel.accepts(handle) else {
            throw CatalogueError.database("'\(handle)' is not a valid handle; expected \(StringFormat.dnsLabel.expectation)")
        }
        guard Plan.named(plan) != nil else { throw CatalogueError.notFound("no plan '\(plan)'") }
        try inTransaction { catalogue in
            guard try catalogue.run("SELECT 1 FROM pg_roles WHERE rolname = $1 AND rolcanlogin", [databaseRole]).rows.count == 1 else {
                throw CatalogueError.notFound("no PostgreSQL login role '\(databaseRole)'; the DBA creates it first (CREATE ROLE \(databaseRole) LOGIN)")
            }
            do {
                try catalogue.connection.execute("INSERT INTO nalabo.users (handle, db_role, role, plan) VALUES ($1, $2, $3, $4)",
                                                 [handle, databaseRole, role.rawValue, plan])
            } catch let error as PostgresError where error.sqlState == "23505" {
                throw CatalogueError.conflict("the handle '\(handle)' or the role '\(databaseRole)' is already a nalabo user", hint: nil)
            }
            try catalogue.run("SELECT nalabo.grant_access($1)", [databaseRole])  // the audit event is the database's
        }
    }

    public func setPlan(_ handle: String, to plan: String) throws {
        guard Plan.named(plan) != nil else { throw CatalogueError.notFound("no plan '\(plan)'") }
        try change(handle, "plan", plan)
    }

    public func setRole(_ handle: String, to role: UserRole) throws {
        try change(handle, "role", role.rawValue)
    }

    public func setDisabled(_ handle: String, _ disabled: Bool) throws {
        try change(handle, "disabled", disabled ? "true" : "false")
    }

    /// Changes one admin column; the database checks who may and writes the audit event.
    private func change(_ handle: String, _ column: String, _ value: String) throws {
        // The column comes from the three calls above, never from input.
        precondition(["plan", "role", "disabled"].contains(column))
        try inTransaction { catalogue in
            let changed = try catalogue.run("UPDATE nalabo.users SET \(column) = $2::text::\(column == "disabled" ? "boolean" : "text") WHERE handle = $1 RETURNING id",
                                            [handle, value])
            guard !changed.rows.isEmpty else {
                throw CatalogueError.notPermitted("no user '\(handle)' that you may change (admins change plans; super_admins change roles)")
            }
        }
    }

    /// Every workshop version, yanked ones included, for admins.
    public func allVersions(limit: Int = 500) throws -> [PublishedVersionSummary] {
        try run("""
            SELECT h.handle, w.slug, v.version, v.title, v.published_at, v.yanked_at IS NOT NULL AS yanked
            FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id JOIN nalabo.handles() h ON h.id = w.owner_id
            ORDER BY h.handle, w.slug, v.version_order DESC LIMIT $1
            """, [String(limit)]).records.compactMap { row in
            guard let owner = row["handle"], let slug = row["slug"], let version = row["version"] else { return nil }
            return PublishedVersionSummary(owner: owner, slug: slug, version: version, title: row["title"] ?? "",
                                           publishedAt: row["published_at"] ?? "", yanked: row.bool("yanked"))
        }
    }
}

/// One version in an admin listing.
public struct PublishedVersionSummary: Sendable, Hashable {
    public var owner: String
    public var slug: String
    public var version: String
    public var title: String
    public var publishedAt: String
    public var yanked: Bool
}
