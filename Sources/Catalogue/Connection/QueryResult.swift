import CLibPQ

/// The rows of a statement, as text (libpq's text format); nil is SQL NULL.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [[String?]]

    init(_ result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
        }
    }

    /// The rows as dictionaries by column name.
    public var records: [Row] { rows.map { Row(columns: columns, values: $0) } }

    /// The first column of the first row.
    public var scalar: String? { rows.first?.first ?? nil }
}

/// One row, read by column name.
public struct Row: Sendable {
    let columns: [String]
    let values: [String?]

    public subscript(_ column: String) -> String? {
        columns.firstIndex(of: column).flatMap { values[$0] }
    }

    public func int(_ column: String) -> Int? { self[column].flatMap { Int($0) } }
    public func double(_ column: String) -> Double? { self[column].flatMap { Double($0) } }
    public func bool(_ column: String) -> Bool { self[column] == "t" }
}
