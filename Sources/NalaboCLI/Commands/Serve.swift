import ArgumentParser
import Catalogue
import Foundation
import NIOSSL
import Portal
import Runtime

extension Nalabo {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Run the training portal: learners get labs in the browser (docs/portal.md).",
            discussion: """
                Connects to the catalogue as the portal's login role (a member of nalabo_authenticator and nalabo_grader; \
                docs/portal.md shows the two GRANTs) and starts sessions on the backend. Listens on 127.0.0.1:8080 unless told \
                otherwise; put it behind a reverse proxy with TLS (--trusted-proxy) or give it --tls-cert and --tls-key.
                """)

        @Option(help: "HOST:PORT to listen on.") var listen = "127.0.0.1:8080"
        @Option(name: .customLong("public-url"), help: "The URL learners open (its origin is the only one accepted); default http://LISTEN.")
        var publicURL: String?
        @Option(name: .customLong("trusted-proxy"), help: "An address whose X-Forwarded-For is believed (repeatable).")
        var trustedProxies: [String] = []
        @Option(name: .customLong("tls-cert"), help: "A PEM certificate chain: serve HTTPS directly (with --tls-key).") var tlsCertificate: String?
        @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.") var tlsKey: String?
        @Option(name: .customLong("proxy-listen"), help: "HOST:PORT of the port proxy, which serves labs' published ports on an origin of its own.")
        var proxyListen: String?
        @Option(name: .customLong("proxy-url"), help: "The URL learners reach the port proxy at (same host as --public-url); default http://PROXY-LISTEN.")
        var proxyURL: String?
        @Flag(name: .customLong("end-labs-on-exit"), help: "On Ctrl-C or SIGTERM, end every running lab of the catalogue (a one-process demo or class).")
        var endLabsOnExit = false
        @Option(help: "A file of NAME=value lines with the values of workshops' secrets (else NALABO_SECRET_NAME).") var secrets: String?
        @OptionGroup var backend: BackendOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let (host, port) = Self.address(listen) else {
                throw CommandFailure("--listen is \(listen); write HOST:PORT, such as 127.0.0.1:8080", status: ExitStatus.couldNotRun).exit()
            }
            var settings = PortalConfiguration(
                database: ConnectionSettings.resolve(option: database.databaseURL, environment: ProcessInfo.processInfo.environment))
            settings.endLabsOnExit = endLabsOnExit
            settings.secrets.file = secrets
            settings.host = host
            settings.port = port
            if let publicURL { settings.publicURL = try Self.webURL(publicURL, option: "--public-url") }
            settings.trustedProxies = trustedProxies
            guard (tlsCertificate == nil) == (tlsKey == nil) else {
                throw CommandFailure("give --tls-cert and --tls-key together", status: ExitStatus.couldNotRun).exit()
            }
            for file in [tlsCertificate, tlsKey].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: file) {
                throw CommandFailure("cannot read \(file) (--tls-cert/--tls-key)", status: ExitStatus.couldNotRun).exit()
            }
            settings.tlsCertificate = tlsCertificate
            settings.tlsKey = tlsKey
            if tlsCertificate != nil, publicURL == nil {
                settings.publicURL = URL(string: "https://\(listen)")
            }
            try configureProxy(&settings)
            settings.backend = try backend.kind()
            // The catalogue must answer, as the portal's role, before anyone is let in.
            _ = try catalogueCall { try Catalogue(settings.database) }
            let sessions = try await backend.connect()
            let server = PortalServer(configuration: settings, backend: sessions)
            do {
                try await run(server, origin: settings.origin, publicURL: settings.publicURL, host: settings.host)
            } catch let error as NIOSSLError {
                throw CommandFailure("the TLS certificate or key cannot be used: \(error)", status: ExitStatus.couldNotRun).exit()
            }
        }

        /// An http:// or https:// URL given to `option`.
        static func webURL(_ text: String, option: String) throws -> URL {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw CommandFailure("\(option) is \(text); write an http:// or https:// URL", status: ExitStatus.couldNotRun).exit()
            }
            return url
        }

        /// HOST:PORT (`[::1]:8080` too).
        static func address(_ text: String) -> (host: String, port: Int)? {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
                return nil
            }
            return (String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
        }

        private func configureProxy(_ settings: inout PortalConfiguration) throws {
            guard let proxyListen else {
                if proxyURL != nil { throw CommandFailure("--proxy-url needs --proxy-listen", status: ExitStatus.couldNotRun).exit() }
                return
            }
            guard let (host, port) = Self.address(proxyListen), (host, port) != (settings.host, settings.port) else {
                throw CommandFailure("--proxy-listen is \(proxyListen); write HOST:PORT other than --listen, such as 127.0.0.1:8081",
                                     status: ExitStatus.couldNotRun).exit()
            }
            settings.proxyHost = host
            settings.proxyPort = port
            if let proxyURL { settings.proxyPublicURL = try Self.webURL(proxyURL, option: "--proxy-url") }
            // The proxy authenticates with the portal's cookie, which browsers send to every port of the portal's host.
            guard settings.effectiveProxyURL?.host == settings.effectivePublicURL.host, settings.proxyOrigin != settings.origin else {
                throw CommandFailure("the port proxy must be reached on the portal's host (\(settings.effectivePublicURL.host ?? "")) at another port; check --proxy-url",
                                     status: ExitStatus.couldNotRun).exit()
            }
        }

        private func run(_ server: PortalServer, origin: String, publicURL: URL?, host: String) async throws {
            try await server.run { port in
                let url = publicURL?.absoluteString ?? "http://\(host):\(port)/"
                Terminal.standardOutput.write("nalabo portal: \(url) (origin \(origin)); Ctrl-C stops it\n")
                if let proxy = server.configuration.effectiveProxyURL {
                    Terminal.standardOutput.write("nalabo port proxy: \(proxy.absoluteString) (labs' published ports)\n")
                }
            }
        }
    }
}
