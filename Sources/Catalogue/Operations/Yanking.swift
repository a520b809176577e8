extension Catalogue {
    /// Retires a version without deleting it (or, with `undo`, brings it back). Owners yank their own
    /// versions; admins any. The version's content never changes; the database stamps who and when,
    /// counts an un-yank against the quota, and writes the audit event.
    public func yank(_ address: WorkshopAddress, undo: Bool = false) throws {
        guard let version = address.version else {
            throw CatalogueError.notFound("name the version to yank: \(address)@VERSION")
        }
        let owner = try address.owner ?? uniqueOwner(of: address.slug)
        try inTransaction { catalogue in
            let changed = try catalogue.run("""
                UPDATE nalabo.workshop_versions v
                SET yanked_at = CASE WHEN $4::boolean THEN NULL ELSE now() END
                FROM nalabo.workshops w, nalabo.handles() h
                WHERE w.id = v.workshop_id AND h.id = w.owner_id AND h.handle = $1 AND w.slug = $2 AND v.version = $3
                RETURNING v.id
                """, [owner, address.slug, version, undo ? "true" : "false"])
            guard !changed.rows.isEmpty else {
                // Either it does not exist or row-level security hid it from this UPDATE.
                let exists = try catalogue.run("""
                    SELECT 1 FROM nalabo.workshop_versions v JOIN nalabo.workshops w ON w.id = v.workshop_id
                    JOIN nalabo.handles() h ON h.id = w.owner_id WHERE h.handle = $1 AND w.slug = $2 AND v.version = $3
                    """, [owner, address.slug, version])
                throw exists.rows.isEmpty
                    ? CatalogueError.notFound("'\(owner)/\(address.slug)' has no version \(version)")
                    : CatalogueError.notPermitted("only the owner of '\(owner)/\(address.slug)' or an admin can yank it")
            }
        }
    }
}
