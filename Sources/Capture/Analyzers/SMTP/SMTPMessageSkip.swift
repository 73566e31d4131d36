/// Finds the end of a message a client sends after `DATA` was answered 354: a line holding only `.` (RFC 5321
/// §4.1.1.4; a line-initial dot of the content is doubled, so `..` is content). The content is skipped, never
/// kept: the scan holds one state across segments and jumps from line end to line end.
struct SMTPMessageSkip {
    private enum State { case lineStart, inLine, dot, dotCR }
    private var state = State.lineStart

    /// Bytes of `bytes` that belong to the message, and whether its end (the `.` line, included) was among them.
    mutating func skip(_ bytes: UnsafeRawBufferPointer) -> (used: Int, ended: Bool) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch state {
            case .inLine:
                guard let newline = UnsafeRawBufferPointer(rebasing: bytes[(index - 1)...]).firstIndex(of: 0x0A) else {
                    return (bytes.count, false)
                }
                index += newline
                state = .lineStart
            case .lineStart:
                state = byte == 0x2E ? .dot : byte == 0x0A ? .lineStart : .inLine
            case .dot:
                if byte == 0x0A { return (index, true) }
                state = byte == 0x0D ? .dotCR : .inLine
            case .dotCR:
                if byte == 0x0A { return (index, true) }
                state = .inLine
            }
        }
        return (index, false)
    }
}
