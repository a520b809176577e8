import Foundation
import Testing
import TestSupport
@testable import WorkshopSpec

/// Numbers in canonical JSON are written as ECMAScript's Number::toString writes them (RFC 8785 §3.2.2.3), so
/// that any other JCS implementation computes the same digest of a bundle.
@Suite struct CanonicalNumberTests {
    /// RFC 8785 Appendix B's IEEE 754 values and their expected text (also what node's JSON.stringify prints).
    static let appendixB: [(bits: UInt64, text: String)] = [
        (0x0000_0000_0000_0000, "0"), (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"), (0x8000_0000_0000_0001, "-5e-324"),
        (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"), (0xffef_ffff_ffff_ffff, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"), (0xc340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44b5_2d02_c7e1_4af5, "9.999999999999997e+22"), (0x44b5_2d02_c7e1_4af6, "1e+23"),
        (0x44b5_2d02_c7e1_4af7, "1.0000000000000001e+23"),
        (0x444b_1ae4_d6e2_ef4e, "999999999999999700000"), (0x444b_1ae4_d6e2_ef4f, "999999999999999900000"),
        (0x444b_1ae4_d6e2_ef50, "1e+21"),
        (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"), (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
        (0x41b3_de43_5555_5553, "333333333.3333332"), (0x41b3_de43_5555_5554, "333333333.33333325"),
        (0x41b3_de43_5555_5555, "333333333.3333333"), (0x41b3_de43_5555_5556, "333333333.3333334"),
        (0x41b3_de43_5555_5557, "333333333.33333343"),
        (0xbecb_f647_612f_3696, "-0.0000033333333333333333"), (0x4314_3ff3_c1cb_0959, "1424953923781206.2"),
    ]

    @Test func appendixBOfRFC8785() {
        for (bits, text) in Self.appendixB {
            #expect(JSONValue.number(Double(bitPattern: bits)) == text, "0x\(String(bits, radix: 16))")
        }
    }

    /// Both of ECMAScript's switches to exponent form: below 1e-6 and from 1e21 (Swift's own description switches
    /// below 1e-4 and from 2^53).
    @Test func bothBoundariesOfThePositionalForm() {
        let expected: [(Double, String)] = [
            (0.00005, "0.00005"), (0.0001, "0.0001"), (0.00001, "0.00001"), (0.000001, "0.000001"),
            (0.0000015, "0.0000015"), (0.00000099, "9.9e-7"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (123e-20, "1.23e-18"),
            (0.5, "0.5"), (0.1 + 0.2, "0.30000000000000004"), (123.456, "123.456"), (100, "100"),
            (1e20, "100000000000000000000"), (1.5e20, "150000000000000000000"), (1e21, "1e+21"), (1.5e21, "1.5e+21"),
            (-1e-7, "-1e-7"), (-0.00005, "-0.00005"), (-0.0, "0"),
        ]
        for (value, text) in expected {
            #expect(JSONValue.number(value) == text, "\(value)")
        }
        // In a bundle's canonical form: `cpus: 0.00005` is written as JSON.stringify writes it.
        #expect(JSONValue.object([("cpus", .double(0.00005))]).canonical == #"{"cpus":0.00005}"#)
    }

    /// 4,000 doubles from random bit patterns and from around the boundaries, against node's JSON.stringify
    /// (ECMAScript's own implementation; Debian's nodejs, which scripts/install-system-packages installs).
    @Test func agreesWithECMAScriptOnRandomDoubles() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = []
        while values.count < 2_000 {
            let value = Double(bitPattern: UInt64.random(in: .min ... .max, using: &generator))
            if value.isFinite { values.append(value) }
        }
        for _ in 0..<2_000 {
            let scales: [Double] = [1e-7, 1e-6, 1e-5, 1e-4, 1e20, 1e21, 1e22, 1, 9007199254740992]
            let scale = scales.randomElement(using: &generator) ?? 1
            values.append(scale * Double.random(in: 0.5...10, using: &generator))
        }
        let directory = try TemporaryDirectory()
        try directory.write("values.txt", values.map { String($0.bitPattern, radix: 16) }.joined(separator: "\n"))
        let script = """
            const lines = require('fs').readFileSync(process.argv[2], 'utf8').split('\\n');
            const buffer = Buffer.alloc(8);
            for (const hex of lines) { buffer.write(hex.padStart(16, '0'), 'hex'); console.log(JSON.stringify(buffer.readDoubleBE(0))); }
            """
        try directory.write("print.js", script)
        let node = try Nalabo.runProcess("/usr/bin/node", [directory.path + "/print.js", directory.path + "/values.txt"])
        try #require(node.status == 0, "node: \(node.stderr)")
        let texts = node.stdout.split(separator: "\n").map(String.init)
        try #require(texts.count == values.count)
        var disagreements = 0
        for (value, text) in zip(values, texts) where JSONValue.number(value) != text {
            disagreements += 1
            if disagreements <= 5 { Issue.record("\(value.bitPattern): nalabo writes \(JSONValue.number(value)), ECMAScript \(text)") }
        }
        #expect(disagreements == 0)
    }
}
