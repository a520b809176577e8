extension String {
    /// The text without control characters (C0, DEL, C1), so text that came from someone else — a catalogue
    /// title, a check's output, a learner's name — cannot retitle, recolour or otherwise drive the terminal
    /// that prints it. Newlines and tabs stay unless `singleLine` is set (a carriage return goes); on a single
    /// line every tab and line ending — LF, CRLF or a lone CR — is one space.
    public func terminalSafe(singleLine: Bool = false) -> String {
        guard unicodeScalars.contains(where: StringFormat.isControl) else { return self }
        var scalars = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in unicodeScalars {
            defer { previous = scalar }
            if !StringFormat.isControl(scalar) || (!singleLine && (scalar == "\n" || scalar == "\t")) {
                scalars.append(scalar)
            } else if singleLine && (scalar == "\n" || scalar == "\t" || scalar == "\r") {
                // A line break becomes one space, whichever ending it has: LF, CRLF or a lone CR.
                if !(scalar == "\n" && previous == "\r") { scalars.append(" ") }
            }
        }
        return String(scalars)
    }
}
