/// How serious a diagnostic is. Errors fail validation; warnings fail it only under `--strict`.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable {
    case error
    case warning
    case note
}
