import WorkshopSpec

extension Catalogue {
    /// The newest non-yanked version of each workshop, kept when it matches the filters.
    public func list(tag: String? = nil, search: String? = nil, mine: Bool = false, limit: Int = 500) throws -> [WorkshopListing] {
        let pattern = search.map { "%" + $0.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%" }
        return try run("""
            SELECT h.handle, w.slug, v.version, v.title, v.summary, v.tags, v.published_at
            FROM nalabo.workshops w
            JOIN nalabo.handles() h ON h.id = w.owner_id
            -- Each workshop's newest version that is not yanked, straight from workshop_versions_newest.
            CROSS JOIN LATERAL (
                SELECT version, title, summary, tags, published_at FROM nalabo.workshop_versions
                WHERE workshop_id = w.id AND yanked_at IS NULL
                ORDER BY version_order DESC LIMIT 1
            ) v
            WHERE ($1::text IS NULL OR $1 = ANY (v.tags))
              AND ($2::text IS NULL OR v.title ILIKE $2 OR v.summary ILIKE $2 OR w.slug ILIKE $2)
              AND (NOT $3::boolean OR w.owner_id = (SELECT nalabo.my_id()))
            ORDER BY h.handle, w.slug
            LIMIT $4
            """, [tag, pattern, mine ? "true" : "false", String(limit)]).records.compactMap { row in
            guard let owner = row["handle"], let slug = row["slug"], let version = row["version"], let title = row["title"] else { return nil }
            return WorkshopListing(owner: owner, slug: slug, version: version, title: title, summary: row["summary"],
                                   tags: Self.textArray(row["tags"]), publishedAt: row["published_at"] ?? "")
        }
    }

    /// The version an address names: an exact version even when yanked, otherwise the newest not yanked.
    public func resolve(_ address: WorkshopAddress) throws -> PublishedVersion {
        let owner = try address.owner ?? uniqueOwner(of: address.slug)
        let rows = try run("""
            SELECT v.id, v.version, v.digest, v.title, v.published_at, v.yanked_at, v.bundle::text AS bundle
            FROM nalabo.workshop_versions v
            JOIN nalabo.workshops w ON w.id = v.workshop_id
            JOIN nalabo.handles() h ON h.id = w.owner_id
            WHERE h.handle = $1 AND w.slug = $2
            ORDER BY v.version_order DESC
            """, [owner, address.slug]).records
        guard !rows.isEmpty else { throw CatalogueError.notFound("no workshop '\(owner)/\(address.slug)' in the catalogue") }
        let chosen = address.version.map { version in rows.first { $0["version"] == version } } ?? rows.first { $0["yanked_at"] == nil }
        guard let row = chosen, let id = row.int("id"), let version = row["version"], let digest = row["digest"],
              let bundle = row["bundle"] else {
            throw CatalogueError.notFound(address.version.map { "'\(owner)/\(address.slug)' has no version \($0)" }
                ?? "every version of '\(owner)/\(address.slug)' is yanked; name one exactly with @VERSION")
        }
        return PublishedVersion(
            id: id, owner: owner, slug: address.slug, version: version, digest: digest, title: row["title"] ?? "",
            publishedAt: row["published_at"] ?? "", yankedAt: row["yanked_at"], bundleJSON: bundle,
            versions: rows.compactMap { row in row["version"].map { ($0, row["yanked_at"] != nil) } })
    }

    /// The owner of a slug when exactly one owner has published it.
    func uniqueOwner(of slug: String) throws -> String {
        let owners = try run("""
            SELECT h.handle FROM nalabo.workshops w JOIN nalabo.handles() h ON h.id = w.owner_id
            WHERE w.slug = $1 ORDER BY h.handle
            """, [slug]).rows.compactMap { $0.first ?? nil }
        guard let first = owners.first else { throw CatalogueError.notFound("no workshop '\(slug)' in the catalogue") }
        guard owners.count == 1 else { throw CatalogueError.ambiguous(slug: slug, owners: owners) }
        return first
    }

    /// Parses PostgreSQL's text form of a `text[]` of labels (`{a,b}`).
    static func textArray(_ text: String?) -> [String] {
        guard let text, text.count > 2 else { return [] }
        return text.dropFirst().dropLast().split(separator: ",").map { String($0).replacing("\"", with: "") }
    }
}
