extension String {
    /// The text without control characters (C0, DEL, C1), so text that came from someone else — a catalogue
    /// title, a check's output, a learner's name — cannot retitle, recolour or otherwise drive the terminal
    /// that prints it. Newlines and tabs stay unless `singleLine` is set; a carriage return before a newline
    /// goes with it.
    public func terminalSafe(singleLine: Bool = false) -> String {
        guard unicodeScalars.contains(where: StringFormat.isControl) else { return self }
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if !StringFormat.isControl(scalar) || (!singleLine && (scalar == "\n" || scalar == "\t")) {
                scalars.append(scalar)
            } else if singleLine && (scalar == "\n" || scalar == "\t") {
                scalars.append(" ")
            }
        }
        return String(scalars)
    }
}
