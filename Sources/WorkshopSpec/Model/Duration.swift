/// A length of time written as `90s`, `45m`, `1h30m` or `1h30m15s`.
public struct SpecDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int

    public init(seconds: Int) {
        self.seconds = seconds
    }

    /// Parses hours, minutes and seconds in that order, each at most once; at least one is required.
    public init?(_ text: String) {
        var total = 0
        var number: Int?
        var lastUnit = 0  // 3 = h, 2 = m, 1 = s: units must descend
        for byte in text.utf8 {
            if StringFormat.isDigit(byte) {
                let (scaled, overflow) = (number ?? 0).multipliedReportingOverflow(by: 10)
                guard !overflow, scaled <= 1_000_000_000 else { return nil }
                number = scaled + Int(byte - UInt8(ascii: "0"))
                continue
            }
            guard let value = number else { return nil }
            let (unit, factor): (Int, Int) = switch byte {
            case UInt8(ascii: "h"): (3, 3600)
            case UInt8(ascii: "m"): (2, 60)
            case UInt8(ascii: "s"): (1, 1)
            default: (0, 0)
            }
            guard unit > 0, lastUnit == 0 || unit < lastUnit else { return nil }
            lastUnit = unit
            total += value * factor
            number = nil
        }
        guard number == nil, lastUnit > 0 else { return nil }
        seconds = total
    }

    /// The shortest spelling: `1h30m`, `45s`, `0s`.
    public var description: String {
        guard seconds > 0 else { return "0s" }
        let (hours, minutes, secs) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        return (hours > 0 ? "\(hours)h" : "") + (minutes > 0 ? "\(minutes)m" : "") + (secs > 0 ? "\(secs)s" : "")
    }

    public static func < (lhs: SpecDuration, rhs: SpecDuration) -> Bool { lhs.seconds < rhs.seconds }
}
