import Catalogue
import Foundation
import Runtime

/// How `nalabo serve` runs.
public struct PortalConfiguration: Sendable {
    /// Where to listen (`127.0.0.1:8080` by default: loopback until a reverse proxy or TLS is set up).
    public var host = "127.0.0.1"
    public var port = 8080
    /// The address learners open; its origin is the only one whose requests and WebSockets are accepted,
    /// and an `https` URL makes cookies `Secure`. Default `http://HOST:PORT`.
    public var publicURL: URL?
    /// PEM files for serving HTTPS directly.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Addresses whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (a reverse proxy).
    public var trustedProxies: [String] = []
    /// The catalogue, as the portal's login role (a member of nalabo_authenticator and nalabo_grader).
    public var database: ConnectionSettings
    /// Where new lab sessions run.
    public var backend: BackendKind = .docker
    public var kubeconfig: String?
    public var context: String?
    /// A web session ends after this long without a request, and at the latest after `absoluteSeconds`.
    public var idleSeconds = 2 * 3600
    public var absoluteSeconds = 12 * 3600
    /// How often expired and orphaned sessions are looked for, and reserves refilled.
    public var reapInterval: Duration = .seconds(20)
    /// How long a reserved lab waits for a learner before it is recycled.
    public var reserveClaimWindow: Duration = .seconds(30 * 60)
    /// On a clean stop, end every running lab of the catalogue and remove every reserve (a one-process portal
    /// whose labs must not outlive it: a demo, a one-off class).
    public var endLabsOnExit = false
    /// Failed logins (per account and per client address) in 15 minutes before logins are refused.
    public var loginFailureLimit = 10

    public init(database: ConnectionSettings) {
        self.database = database
    }

    /// The public URL, or the listening address when none is given.
    public var effectivePublicURL: URL {
        publicURL ?? URL(string: "http://\(host.contains(":") ? "[\(host)]" : host):\(port)") ?? URL(fileURLWithPath: "/")
    }

    /// `scheme://host[:port]` of the public URL: what browsers send as `Origin`.
    public var origin: String {
        let url = effectivePublicURL
        var origin = "\(url.scheme ?? "http")://\(url.host ?? host)"
        if let port = url.port { origin += ":\(port)" }
        return origin
    }

    public var secureCookies: Bool { effectivePublicURL.scheme == "https" }
}
