import Foundation
import Hummingbird

/// `/assets/...`: the portal's own script and style (resources of this module), the OpenAPI document, and
/// xterm.js from Debian's node-xterm as installed (``XtermBundle``), assembled once and kept.
struct AssetRoutes {
    private static let xtermScript = Result { try XtermBundle.script() }
    private static let xtermStyle = Result { try XtermBundle.stylesheet() }

    func register(on router: PortalRouter) {
        for name in ["portal.js", "portal.css"] {
            router.on(.get, "/assets/\(name)") { _, _ in try Self.serve(Self.resource(name), name: name) }
        }
        router.on(.get, "/api/openapi.json") { _, _ in try Self.serve(Self.resource("openapi.json"), name: "openapi.json") }
        router.on(.get, "/assets/xterm/xterm.js") { _, _ in
            try Self.serve(Data(Self.xtermScript.mapError(Self.missing).get().utf8), type: "text/javascript; charset=utf-8")
        }
        router.on(.get, "/assets/xterm/xterm.css") { _, _ in
            try Self.serve(Self.xtermStyle.mapError(Self.missing).get(), type: "text/css; charset=utf-8")
        }
    }

    static func resource(_ name: String) -> URL? {
        Bundle.module.url(forResource: "Assets/" + (name as NSString).deletingPathExtension, withExtension: (name as NSString).pathExtension)
            ?? Bundle.module.resourceURL?.appendingPathComponent("Assets").appendingPathComponent(name)
    }

    private static func missing(_ error: any Error) -> PortalError {
        PortalError(status: .serviceUnavailable, message: "\(error)")
    }

    static func serve(_ url: URL?, name: String) throws -> Response {
        guard let url, let data = FileManager.default.contents(atPath: url.path) else {
            throw PortalError.notFound("the portal's \(name) is missing from its resources; rebuild nalabo")
        }
        let type = switch (name as NSString).pathExtension {
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json; charset=utf-8"
        default: "application/octet-stream"
        }
        return try serve(data, type: type)
    }

    static func serve(_ data: Data, type: String) throws -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=300"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
