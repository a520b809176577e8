import Foundation
import WorkshopSpec

/// A bearer secret: 256 random bits, written as `PREFIX_` and base64url. The database keeps only its SHA-256
/// (``hash``), so a copy of the catalogue lets nobody log in.
public struct SecretToken: Sendable, Hashable {
    public let text: String

    public init(text: String) { self.text = text }

    /// A fresh token from the system's cryptographic generator.
    public static func generate(prefix: String) -> SecretToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return SecretToken(text: prefix + "_" + base64)
    }

    /// SHA-256 of the text, as the hex that `$1::bytea` reads (`\x…`).
    public var hash: String { "\\x" + SHA256.hex(Array(text.utf8)) }

    /// A value derived from this token for another purpose (`csrf`): unguessable without the token.
    public func derived(_ purpose: String) -> String {
        SHA256.hex(Array("nalabo:\(purpose):\(text)".utf8))
    }
}
