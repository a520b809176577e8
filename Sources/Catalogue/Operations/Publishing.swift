import WorkshopSpec

extension Catalogue {
    /// Stores a validated workshop as an immutable version, in one transaction and one round trip.
    ///
    /// The same version with the same digest is a no-op; with another digest it is a
    /// ``CatalogueError/conflict(_:hint:)``. The owner's plan quota is checked by the database under a
    /// per-owner lock, so concurrent publishers cannot exceed it. A transaction that fails halfway leaves
    /// nothing behind, and retrying it is safe.
    public func publish(_ workshop: Workshop) throws -> PublishOutcome {
        let bundle = WorkshopBundle(workshop)
        let metadata = workshop.metadata
        guard let version = SemanticVersion(metadata.version) else {
            throw CatalogueError.database("'\(metadata.version)' is not a semantic version")
        }
        let challenges = JSONValue.array(workshop.steps.flatMap { step in
            step.challenges.map { challenge in
                JSONValue.object([("id", .string(challenge.id)), ("step", .string(step.id)), ("points", .int(Int64(challenge.maxPoints)))])
            }
        })
        let tags = "{" + metadata.tags.map { "\"\($0.value)\"" }.joined(separator: ",") + "}"  // labels need no escaping
        let outcome = try inTransaction { catalogue in
            try catalogue.run(
                "SELECT nalabo.publish($1, $2, $3, $4, $5::jsonb, $6, $7, $8::text[], $9::jsonb)",
                [metadata.slug, metadata.version, version.orderKey, bundle.digest, bundle.canonicalText, metadata.title,
                 metadata.summary, tags, challenges.canonical]
            ).scalar
        }
        return outcome.flatMap(PublishOutcome.init) ?? .published
    }
}
