import Foundation

/// Writes `nalabo test` results as JUnit XML, the format CI systems display: one test suite per workshop
/// run, one test case per challenge.
public enum JUnitReport {
    public static func xml(_ runs: [WorkshopTestRun]) -> String {
        let tests = runs.reduce(0) { $0 + max(1, $1.challenges.count) }
        let failures = runs.reduce(0) { total, run in
            total + (run.sessionProblem != nil ? 1 : run.challenges.filter { !$0.passed }.count)
        }
        let time = runs.reduce(0.0) { $0 + $1.seconds }
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="nalabo test" tests="\#(tests)" failures="\#(failures)" time="\#(seconds(time))">"# + "\n"
        for run in runs {
            let name = run.workshop + (runs.contains { $0.workshop == run.workshop && $0.run != run.run } ? " (run \(run.run))" : "")
            let count = max(1, run.challenges.count)
            let failed = run.sessionProblem != nil ? 1 : run.challenges.filter { !$0.passed }.count
            xml += #"  <testsuite name="\#(escape(name))" tests="\#(count)" failures="\#(failed)" time="\#(seconds(run.seconds))">"# + "\n"
            if let problem = run.sessionProblem {
                xml += #"    <testcase classname="\#(escape(run.workshop))" name="session" time="\#(seconds(run.seconds))">"# + "\n"
                xml += #"      <failure message="the session did not come up">\#(escape(problem))</failure>"# + "\n"
                xml += "    </testcase>\n"
            }
            for challenge in run.challenges {
                xml += #"    <testcase classname="\#(escape(run.workshop))" name="\#(escape(challenge.challenge))" time="\#(seconds(challenge.seconds))""#
                if challenge.passed {
                    xml += "/>\n"
                } else {
                    xml += ">\n"
                    let phase = challenge.failedPhase?.rawValue ?? "unknown"
                    xml += #"      <failure message="\#(escape(phase))">\#(escape(challenge.problem ?? ""))</failure>"# + "\n"
                    xml += "    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "\n", "\t", "\r": escaped.unicodeScalars.append(scalar)
            // XML 1.0 cannot carry other control characters at all.
            case _ where scalar.value < 0x20: escaped += "?"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
