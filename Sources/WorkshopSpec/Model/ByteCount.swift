/// An amount of memory, written in Kubernetes quantity notation (`256Mi`, `1Gi`, `512M`, `1e9`, `134217728`).
public struct ByteCount: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var bytes: Int64

    public init(bytes: Int64) {
        self.bytes = bytes
    }

    private static let suffixes: [(String, Int64)] = [
        ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50),
        ("k", 1_000), ("K", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
        ("P", 1_000_000_000_000_000),
    ]

    /// Parses a quantity; fractions are allowed when they come to whole bytes (`1.5Gi`).
    public init?(_ text: String) {
        var number = Substring(text)
        var factor: Int64 = 1
        if let (suffix, value) = Self.suffixes.first(where: { text.hasSuffix($0.0) }) {
            number = number.dropLast(suffix.count)
            factor = value
        } else if let e = number.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let exponent = Int(number[number.index(after: e)...]), (0...18).contains(exponent) else { return nil }
            factor = (0..<exponent).reduce(1) { product, _ in product * 10 }
            number = number[..<e]
        }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty,
              whole.utf8.allSatisfy(StringFormat.isDigit), whole.utf8.count <= 18,
              let wholeValue = Int64(whole) else { return nil }
        var total = wholeValue.multipliedReportingOverflow(by: factor)
        guard !total.overflow else { return nil }
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.utf8.count <= 9, fraction.utf8.allSatisfy(StringFormat.isDigit),
                  let numerator = Int64(fraction) else { return nil }
            let denominator = (0..<fraction.utf8.count).reduce(Int64(1)) { product, _ in product * 10 }
            let scaled = numerator.multipliedReportingOverflow(by: factor)
            guard !scaled.overflow, scaled.partialValue % denominator == 0 else { return nil }
            total = total.partialValue.addingReportingOverflow(scaled.partialValue / denominator)
            guard !total.overflow else { return nil }
        }
        bytes = total.partialValue
    }

    /// The shortest binary spelling that is exact: `512Mi`, `1Gi`, or plain bytes.
    public var description: String {
        for (suffix, value) in [("Ti", Int64(1) << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
        where bytes >= value && bytes % value == 0 {
            return "\(bytes / value)\(suffix)"
        }
        return String(bytes)
    }

    public static func < (lhs: ByteCount, rhs: ByteCount) -> Bool { lhs.bytes < rhs.bytes }
}
