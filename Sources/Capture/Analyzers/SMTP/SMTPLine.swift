/// One CRLF-terminated line of an SMTP direction, and the shapes of commands and replies (RFC 5321 §4.1, §4.2).
enum SMTPLine {
    /// Longest line accepted (RFC 5321 §4.5.3.1.6: 1000 bytes with CRLF; some servers send a little more).
    static let maxLength = 2048

    /// The length of the line at the start of `bytes` without and with its line end; nil when incomplete.
    static func next(_ bytes: UnsafeRawBufferPointer) throws(SMTPMalformation) -> (content: Int, total: Int)? {
        let limit = min(bytes.count, maxLength)
        var index = 0
        while index < limit {
            if bytes[index] == 0x0A { return (index > 0 && bytes[index - 1] == 0x0D ? index - 1 : index, index + 1) }
            index += 1
        }
        if bytes.count >= maxLength { throw .lineTooLong }
        return nil
    }

    /// A command line split into its verb (upper-cased) and argument.
    static func command(_ line: UnsafeRawBufferPointer) -> (verb: String, argument: String) {
        let space = line.firstIndex(of: 0x20) ?? line.count
        let verb = String(decoding: line[..<space].map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
        let start = min(space + 1, line.count)
        return (verb, String(decoding: UnsafeRawBufferPointer(rebasing: line[start...]), as: UTF8.self))
    }

    /// A reply line: its code, whether more lines follow (`250-…`), and its text.
    static func reply(_ line: UnsafeRawBufferPointer) throws(SMTPMalformation) -> (code: UInt16, continues: Bool, text: String) {
        guard line.count >= 3 else { throw .badReply }
        var code: UInt16 = 0
        for byte in line[0..<3] {
            guard byte >= 0x30, byte <= 0x39 else { throw .badReply }
            code = code * 10 + UInt16(byte - 0x30)
        }
        guard code >= 100, code < 600 else { throw .badReply }
        if line.count == 3 { return (code, false, "") }
        guard line[3] == 0x20 || line[3] == 0x2D else { throw .badReply }
        return (code, line[3] == 0x2D, String(decoding: UnsafeRawBufferPointer(rebasing: line[4...]), as: UTF8.self))
    }

    /// The address of `FROM:<a@b>` / `TO:<a@b>` as Zeek keeps it: the text after the colon up to the first blank.
    static func path(_ argument: String) -> String {
        guard let colon = argument.firstIndex(of: ":") else { return "" }
        let rest = argument[argument.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        return String(rest.prefix { $0 != " " && $0 != "\t" })
    }
}
