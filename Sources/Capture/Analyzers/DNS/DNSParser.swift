import NetCore

/// Parses one DNS message (RFC 1035 §4.1) from borrowed bytes: bounded and total.
///
/// Every length is checked against the message before it is used; a name may be at most 255 wire bytes and
/// follow at most `maxPointerHops` compression pointers, each of which must point before the start of the run
/// of labels it continues, so every jump goes strictly backwards and no pointer chain can loop. At most
/// `maxQuestions` questions and `maxAnswers` answers are read. Any input either parses or throws one
/// `DNSMalformation`; nothing traps. Runs on the capture thread; allocates only the strings it returns.
public enum DNSParser {
    /// Most compression pointers followed within one name.
    public static let maxPointerHops = 32
    /// Most questions a message may announce (real messages carry one).
    public static let maxQuestions = 8
    /// Most answer records read; further answers are ignored.
    public static let maxAnswers = 64
    /// Longest name in wire form (RFC 1035 §3.1).
    public static let maxNameLength = 255

    /// Parses `bytes` as one DNS message.
    /// - Throws: the first `DNSMalformation` met.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(DNSMalformation) -> DNSWireMessage {
        let reader = ByteReader(bytes)
        guard reader.has(12, at: 0) else { throw .headerTruncated }
        let flags = reader.be16(at: 2)
        let questionCount = reader.be16(at: 4)
        let answerCount = reader.be16(at: 6)
        guard questionCount <= maxQuestions else { throw .tooManyQuestions }
        var message = DNSWireMessage(
            id: reader.be16(at: 0), isResponse: flags & 0x8000 != 0, opcode: UInt8((flags >> 11) & 0xF),
            AA: flags & 0x0400 != 0, TC: flags & 0x0200 != 0, RD: flags & 0x0100 != 0, RA: flags & 0x0080 != 0,
            Z: UInt8((flags >> 4) & 0x7), rcode: UInt8(flags & 0xF), questionCount: questionCount,
            question: nil, answers: [])
        var offset = 12
        for index in 0..<Int(questionCount) {
            let name: String
            do throws(DNSMalformation) {
                (name, offset) = try readName(reader, at: offset)
            } catch .nameTruncated {
                throw .questionTruncated
            }
            guard reader.has(4, at: offset) else { throw .questionTruncated }
            if index == 0 {
                message.question = .init(name: name, type: reader.be16(at: offset), qclass: reader.be16(at: offset + 2))
            }
            offset += 4
        }
        let answers = min(Int(answerCount), maxAnswers)
        if answers > 0 { message.answers.reserveCapacity(answers) }
        for _ in 0..<answers {
            (_, offset) = try readName(reader, at: offset)
            guard reader.has(10, at: offset) else { throw .recordTruncated }
            let type = reader.be16(at: offset)
            let ttl = reader.be32(at: offset + 4)
            let length = Int(reader.be16(at: offset + 8))
            let start = offset + 10
            guard reader.has(length, at: start) else { throw .rdataTruncated }
            if let text = try render(reader, type: type, start: start, length: length) {
                message.answers.append(.init(type: type, ttl: ttl, text: text))
            }
            offset = start + length
        }
        return message
    }

    /// The text Zeek logs for an answer of `type`, or nil for types not rendered.
    private static func render(_ reader: ByteReader, type: UInt16, start: Int, length: Int)
        throws(DNSMalformation) -> String? {
        let end = start + length
        switch type {
        case 1:                                                          // A
            guard length == 4 else { throw .rdataMalformed }
            return IPAddress(ipv4: reader.be32(at: start)).description
        case 28:                                                         // AAAA
            guard length == 16 else { throw .rdataMalformed }
            return IPAddress(ipv6Bytes: UnsafeRawBufferPointer(rebasing: reader.raw[start..<end])).description
        case 2, 5, 12:                                                   // NS, CNAME, PTR
            return try nameInside(reader, at: start, end: end)
        case 15:                                                         // MX: preference, exchange
            guard length >= 3 else { throw .rdataMalformed }
            return try nameInside(reader, at: start + 2, end: end)
        case 6:                                                          // SOA: the primary name server
            return try nameInside(reader, at: start, end: end)
        case 16:                                                         // TXT: character-strings
            var parts: [String] = []
            var cursor = start
            while cursor < end {
                let count = Int(reader.u8(at: cursor))
                guard cursor + 1 + count <= end else { throw .rdataMalformed }
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: reader.raw[(cursor + 1)..<(cursor + 1 + count)]),
                                  as: UTF8.self)
                parts.append("TXT \(count) \(text)")
                cursor += 1 + count
            }
            return parts.joined(separator: " ")
        default:
            return nil
        }
    }

    /// A name that must end inside the RDATA `[start, end)`.
    private static func nameInside(_ reader: ByteReader, at start: Int, end: Int) throws(DNSMalformation) -> String {
        let (name, next) = try readName(reader, at: start)
        guard next <= end else { throw .rdataMalformed }
        return name
    }

    /// Reads the (possibly compressed) name at `start`; returns it dotted and the offset after its in-place part.
    static func readName(_ reader: ByteReader, at start: Int) throws(DNSMalformation) -> (String, Int) {
        var bytes: [UInt8] = []
        var cursor = start
        var runStart = start          // where the current run of labels began; a pointer must point before it
        var after = -1                // the offset after the name in place (set at the first pointer)
        var hops = 0
        var wireLength = 0
        while true {
            guard reader.has(1, at: cursor) else { throw .nameTruncated }
            let length = Int(reader.u8(at: cursor))
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    if after < 0 { after = cursor + 1 }
                    return (String(decoding: bytes, as: UTF8.self), after)
                }
                wireLength += length + 1
                guard wireLength < maxNameLength else { throw .nameTooLong }
                guard reader.has(length, at: cursor + 1) else { throw .nameTruncated }
                if !bytes.isEmpty { bytes.append(0x2E) }
                for index in (cursor + 1)...(cursor + length) { appendEscaped(reader.u8(at: index), to: &bytes) }
                cursor += 1 + length
            case 0xC0:
                guard reader.has(2, at: cursor) else { throw .nameTruncated }
                let target = Int(reader.be16(at: cursor) & 0x3FFF)
                guard target < runStart else { throw .pointerNotBackwards }
                hops += 1
                guard hops <= maxPointerHops else { throw .tooManyPointers }
                if after < 0 { after = cursor + 2 }
                cursor = target
                runStart = target
            default:
                throw .badLabelType
            }
        }
    }

    /// Label bytes as Zeek prints them: printable ASCII as is, others as `\xHH`.
    @inline(__always)
    private static func appendEscaped(_ byte: UInt8, to bytes: inout [UInt8]) {
        if byte > 0x20, byte < 0x7F {
            bytes.append(byte)
        } else {
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [0x5C, 0x78, digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }
    }
}
