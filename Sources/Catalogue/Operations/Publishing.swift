import WorkshopSpec

extension Catalogue {
    /// Stores a validated workshop as an immutable version, in one transaction and one round trip.
    ///
    /// Only the canonical bundle is sent: the database derives the digest, the metadata and the challenge
    /// rows from it and checks the owner's plan limits and quota (under a per-owner lock), so a client that
    /// skips validation can publish nothing it could not publish through nalabo. The same version with the
    /// same digest is a no-op; with another digest it is a ``CatalogueError/conflict(_:hint:)``. A
    /// transaction that fails halfway leaves nothing behind, and retrying it is safe.
    public func publish(_ workshop: Workshop) throws -> PublishOutcome {
        let bundle = WorkshopBundle(workshop)
        let outcome = try inTransaction { catalogue in
            try catalogue.run("SELECT nalabo.publish($1)", [bundle.canonicalText]).scalar
        }
        return outcome.flatMap(PublishOutcome.init) ?? .published
    }
}
