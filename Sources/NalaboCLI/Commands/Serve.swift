import ArgumentParser
import Catalogue
import Foundation
import NIOSSL
import Portal
import Runtime

extension Nalabo {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
        @Flag(name: .customLong("end-labs-on-exit"), help: "On Ctrl-C or SIGTERM, end every running lab of the catalogue (a one-process demo or class).")
        var endLabsOnExit = false
        @OptionGroup var backend: BackendOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw CommandFailure("--listen is \(listen); write HOST:PORT, such as 127.0.0.1:8080", status: ExitStatus.couldNotRun).exit()
            }
            var settings = PortalConfiguration(
                database: ConnectionSettings.resolve(option: database.databaseURL, environment: ProcessInfo.processInfo.environment))
            settings.endLabsOnExit = endLabsOnExit
            settings.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            settings.port = port
            if let publicURL {
                guard let url = URL(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw CommandFailure("--public-url is \(publicURL); write an http:// or https:// URL", status: ExitStatus.couldNotRun).exit()
                }
                settings.publicURL = url
            }
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
            settings.backend = try backend.kind()
            // The catalogue must answer, as the portal's role, before anyone is let in.
            _ = try catalogueCall { try Catalogue(settings.database) }
            let sessions = try await backend.connect()
            let server = PortalServer(configuration: settings, backend: sessions)
            let (origin, publicURL, host) = (settings.origin, settings.publicURL, settings.host)
            do {
                try await run(server, origin: origin, publicURL: publicURL, host: host)
            } catch let error as NIOSSLError {
                throw CommandFailure("the TLS certificate or key cannot be used: \(error)", status: ExitStatus.couldNotRun).exit()
            }
        }

        private func run(_ server: PortalServer, origin: String, publicURL: URL?, host: String) async throws {
            try await server.run { port in
                let url = publicURL?.absoluteString ?? "http://\(host):\(port)/"
                Terminal.standardOutput.write("nalabo portal: \(url) (origin \(origin)); Ctrl-C stops it\n")
            }
        }
    }
}
