/// A position in a source file: 1-based line and column, columns counted in Unicode scalars.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// The 1-based column, in Unicode scalars.
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The start of a file.
    public static let start = SourceLocation(line: 1, column: 1)

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A value together with where it was written.
///
/// As a property wrapper, `$name` is the location of `name`.
@propertyWrapper
public struct Located<Value> {
    public var wrappedValue: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.wrappedValue = value
        self.location = location
    }

    public var value: Value { wrappedValue }
    public var projectedValue: SourceLocation { location }

    /// The same location holding another value.
    public func map<T>(_ transform: (Value) throws -> T) rethrows -> Located<T> {
        Located<T>(try transform(wrappedValue), at: location)
    }
}

extension Located: Sendable where Value: Sendable {}
extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}
