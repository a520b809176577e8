import ArgumentParser
import WorkshopSpec

extension Nalabo {
    struct Plans: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plans",
            abstract: "Print the plans and the limits each puts on workshops.")

        @Option(help: "Output format: text or json.")
        var format: TableFormat = .text

        func run() {
            let table = PlanTable()
            print(format == .json ? table.json.pretty : table.text, terminator: format == .json ? "\n" : "")
        }
    }
}

/// `--format` for commands that print a table.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
