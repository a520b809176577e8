import Testing
import WorkshopSpec

/// Text from someone else loses what a terminal would act on, and keeps everything else.
@Suite struct TerminalSafeTextTests {
    @Test func controlCharactersAreStrippedAndTextStays() {
        let hostile = "\u{1B}]0;owned\u{07}\u{1B}[31mOfficial\u{9B}2J course\u{7F}"
        #expect(hostile.terminalSafe() == "]0;owned[31mOfficial2J course")
        #expect(!hostile.terminalSafe().unicodeScalars.contains(where: StringFormat.isControl))
        #expect("line one\r\n\tline two".terminalSafe() == "line one\n\tline two")
        #expect("a\tb\nc".terminalSafe(singleLine: true) == "a b c")
        // Every line ending is one space on a single line: CRLF, LF and a lone CR.
        #expect("one\r\ntwo\nthree\rfour".terminalSafe(singleLine: true) == "one two three four")
        #expect("Ünïcödé — ✓ 🔒".terminalSafe() == "Ünïcödé — ✓ 🔒")
    }
}
