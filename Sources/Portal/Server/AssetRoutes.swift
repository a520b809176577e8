import Foundation
import Hummingbird

/// `/assets/...`: the portal's own script and style (resources of this module), the OpenAPI document, and
/// xterm.js from Debian's libjs-xterm as installed (`NALABO_XTERM_DIR`, default /usr/share/javascript/xterm).
struct AssetRoutes {
    static let xtermFiles = ["xterm.js", "xterm.css", "addons/fit/fit.js"]

    func register(on router: PortalRouter) {
        for name in ["portal.js", "portal.css"] {
            router.on(.get, "/assets/\(name)") { _, _ in try Self.serve(Self.resource(name), name: name) }
        }
        router.on(.get, "/api/openapi.json") { _, _ in try Self.serve(Self.resource("openapi.json"), name: "openapi.json") }
        for name in Self.xtermFiles {
            router.on(.get, "/assets/xterm/\(name)") { _, _ in
                let directory = ProcessInfo.processInfo.environment["NALABO_XTERM_DIR"] ?? "/usr/share/javascript/xterm"
                return try Self.serve(URL(fileURLWithPath: directory).appendingPathComponent(name), name: name,
                                      missing: "xterm.js is not installed at \(directory); install Debian's libjs-xterm or set NALABO_XTERM_DIR")
            }
        }
    }

    static func resource(_ name: String) -> URL? {
        Bundle.module.url(forResource: "Assets/" + (name as NSString).deletingPathExtension, withExtension: (name as NSString).pathExtension)
            ?? Bundle.module.resourceURL?.appendingPathComponent("Assets").appendingPathComponent(name)
    }

    static func serve(_ url: URL?, name: String, missing: String? = nil) throws -> Response {
        guard let url, let data = FileManager.default.contents(atPath: url.path) else {
            throw PortalError.notFound(missing ?? "the portal's \(name) is missing from its resources; rebuild nalabo")
        }
        let type = switch (name as NSString).pathExtension {
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json; charset=utf-8"
        default: "application/octet-stream"
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=300"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
