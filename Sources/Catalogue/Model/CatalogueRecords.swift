/// A nalabo user: a PostgreSQL login role mapped to a handle, a role and a plan.
public struct CatalogueUser: Sendable, Hashable {
    public var handle: String
    /// The PostgreSQL login role the user connects as.
    public var databaseRole: String
    public var role: UserRole
    public var plan: String
    public var disabled: Bool
}

/// What a user may administer.
public enum UserRole: String, Sendable, Hashable, CaseIterable {
    case user
    case admin
    /// The only role that grants or removes admin.
    case superAdmin = "super_admin"
}

/// One workshop as `catalogue list` shows it: its newest version that is not yanked.
public struct WorkshopListing: Sendable, Hashable {
    public var owner: String
    public var slug: String
    public var version: String
    public var title: String
    public var summary: String?
    public var tags: [String]
    public var publishedAt: String
}

/// One published version, with its bundle.
public struct PublishedVersion: Sendable {
    public var id: Int
    public var owner: String
    public var slug: String
    public var version: String
    public var digest: String
    public var title: String
    public var publishedAt: String
    public var yankedAt: String?
    /// The bundle as stored (JSON text).
    public var bundleJSON: String
    /// Every version of the workshop, newest first, with whether it is yanked.
    public var versions: [(version: String, yanked: Bool)]

    public var address: WorkshopAddress { WorkshopAddress(owner: owner, slug: slug, version: version) }
}

/// What happened to a publish.
public enum PublishOutcome: String, Sendable {
    /// A new version was stored.
    case published
    /// The same version with the same digest was already there: nothing changed.
    case unchanged
}

/// Where learners get stuck in a workshop, over all its versions.
public struct WorkshopStats: Sendable, Hashable {
    public struct Challenge: Sendable, Hashable {
        public var id: String
        /// `verified` (graded by the portal) or `self-reported` (a learner's own `nalabo check`): the two are
        /// counted apart.
        public var grading: String
        /// Sessions that attempted the challenge.
        public var sessions: Int
        /// Sessions that passed it.
        public var passed: Int
        public var attempts: Int
        /// The median time from session start to the first pass, in seconds.
        public var medianSecondsToPass: Double?

        public var passRate: Double { sessions == 0 ? 0 : Double(passed) / Double(sessions) }
    }

    public var address: WorkshopAddress
    public var sessionsStarted: Int
    public var sessionsCompleted: Int
    /// Sessions graded on the server (the portal); the others are self-reported.
    public var sessionsVerified: Int
    /// One row per challenge and grading, verified first.
    public var challenges: [Challenge]
}

/// A learner's session as admins and instructors see it.
public struct SessionRecord: Sendable, Hashable {
    public var id: String
    public var learner: String
    public var workshop: String
    public var status: String
    public var score: Int
    public var startedAt: String
    public var expiresAt: String
}
