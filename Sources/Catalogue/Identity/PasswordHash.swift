import CArgon2

/// Argon2id password hashes (libargon2, RFC 9106's second recommended setting scaled to a web login: 64 MiB,
/// 3 passes, 1 lane), in the PHC string form `$argon2id$v=19$m=...,t=...,p=...$salt$hash` that carries its
/// own parameters, so old hashes still verify after the defaults change.
public enum PasswordHash {
    public static let memoryKiB: UInt32 = 65_536
    public static let passes: UInt32 = 3
    public static let lanes: UInt32 = 1
    /// Longer input is refused, so a login cannot be made to hash megabytes.
    public static let longestPassword = 1024

    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The hash of `password` with a fresh random salt.
    public static func make(_ password: String, memoryKiB: UInt32 = memoryKiB, passes: UInt32 = passes) throws -> String {
        let bytes = Array(password.utf8)
        guard !bytes.isEmpty, bytes.count <= longestPassword else {
            throw Refused(description: "a password is 1 to \(longestPassword) bytes")
        }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let length = argon2_encodedlen(passes, memoryKiB, lanes, UInt32(salt.count), 32, Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let status = argon2id_hash_encoded(passes, memoryKiB, lanes, bytes, bytes.count, salt, salt.count, 32, &encoded, length)
        guard status == ARGON2_OK.rawValue else {
            throw Refused(description: "the password could not be hashed: \(String(cString: argon2_error_message(status)))")
        }
        return String(cString: encoded)
    }

    /// Whether `password` matches `hash`; false for a malformed hash as well.
    public static func verify(_ password: String, against hash: String) -> Bool {
        let bytes = Array(password.utf8)
        guard bytes.count <= longestPassword, hash.hasPrefix("$argon2id$") else { return false }
        return argon2id_verify(hash, bytes, bytes.count) == ARGON2_OK.rawValue
    }
}
