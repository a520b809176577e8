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
    /// Where the port proxy listens (nil: no proxy). Published ports of a lab are served there, under
    /// `/sessions/ID/ports/PORT/`, on an origin of their own — never the portal's, whose pages a proxied
    /// application's scripts must not be able to read.
    public var proxyHost: String?
    public var proxyPort = 8081
    /// The address learners reach the proxy at; default `http://PROXYHOST:PROXYPORT`. Its host must be the
    /// public URL's (the proxy authenticates with the portal's cookie, which browsers send to every port of it).
    public var proxyPublicURL: URL?
    /// PEM files for serving HTTPS directly.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Addresses whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (a reverse proxy).
    public var trustedProxies: [String] = []
    /// The catalogue, as the portal's login role (a member of nalabo_authenticator and nalabo_grader).
    public var database: ConnectionSettings
    /// Where the values of workshops' `secrets:` come from (`NALABO_SECRET_NAME`, or `--secrets FILE`).
    public var secrets = SecretSource()
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
    public var origin: String { Self.origin(effectivePublicURL) }

    public var secureCookies: Bool { effectivePublicURL.scheme == "https" }

    /// The proxy's public URL, when there is a proxy.
    public var effectiveProxyURL: URL? {
        guard let proxyHost else { return nil }
        return proxyPublicURL ?? URL(string: "\(effectivePublicURL.scheme ?? "http")://\(proxyHost.contains(":") ? "[\(proxyHost)]" : proxyHost):\(proxyPort)")
    }

    /// `scheme://host[:port]` of the proxy's public URL.
    public var proxyOrigin: String? { effectiveProxyURL.map(Self.origin) }

    static func origin(_ url: URL) -> String {
        var origin = "\(url.scheme ?? "http")://\(url.host ?? "")"
        if let port = url.port { origin += ":\(port)" }
        return origin
    }
}
