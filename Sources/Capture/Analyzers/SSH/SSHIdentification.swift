/// An SSH identification string, `SSH-protoversion-softwareversion [SP comments]` (RFC 4253 §4.2), read from
/// the start of a direction's bytes; a server may send other lines first.
struct SSHIdentification: Equatable {
    /// Most lines accepted before the identification line.
    static let maxPrecedingLines = 16
    /// Longest identification line (RFC 4253: 255 bytes with CR LF).
    static let maxLength = 255

    /// The line without its line end (`SSH-2.0-OpenSSH_9.2p1 Debian-2`).
    var line: String
    /// `2.0`, `1.99`, `1.5`.
    var protocolVersion: String
    /// `OpenSSH_9.2p1` (the software version, without the comments).
    var software: String

    /// Zeek's ssh.log `version`: 2 for `2.0` and `1.99` (compatible servers), else 1.
    var majorVersion: UInt64 { protocolVersion == "2.0" || protocolVersion == "1.99" ? 2 : 1 }

    /// What reading found.
    enum Outcome: Equatable {
        /// More bytes are needed.
        case incomplete
        /// A line that is not the identification: skip `consumed` bytes.
        case otherLine(consumed: Int)
        /// The identification, and the bytes it took with its line end.
        case found(SSHIdentification, consumed: Int)
    }

    /// Reads the next line of `bytes`.
    static func read(_ bytes: UnsafeRawBufferPointer) throws(SSHMalformation) -> Outcome {
        var end = 0
        let limit = min(bytes.count, maxLength + 1)
        while end < limit, bytes[end] != 0x0A { end += 1 }
        guard end < bytes.count, bytes[end] == 0x0A else {
            if bytes.count > maxLength { throw .lineTooLong }
            return .incomplete
        }
        var lineEnd = end
        if lineEnd > 0, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        let isIdentification = lineEnd >= 4 && bytes[0] == 0x53 && bytes[1] == 0x53 && bytes[2] == 0x48
            && bytes[3] == 0x2D
        guard isIdentification else { return .otherLine(consumed: end + 1) }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<lineEnd]), as: UTF8.self)
        let fields = line.dropFirst(4).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else { throw .badIdentification }
        let software = fields[1].prefix { $0 != " " }
        guard !software.isEmpty else { throw .badIdentification }
        return .found(SSHIdentification(line: line, protocolVersion: String(fields[0]), software: String(software)),
                      consumed: end + 1)
    }

    /// The software's name and version as Zeek's software framework splits `OpenSSH_9.2p1`: name `OpenSSH`,
    /// major 9, minor 2.
    var softwareParts: (name: String, major: UInt64?, minor: UInt64?) {
        let name = software.prefix { $0 != "_" && $0 != "-" && $0 != "/" && !$0.isNumber }
        let rest = software.dropFirst(name.count).drop { $0 == "_" || $0 == "-" || $0 == "/" }
        let major = rest.prefix { $0.isASCII && $0.isNumber }
        var minor: Substring = ""
        if rest.dropFirst(major.count).first == "." {
            minor = rest.dropFirst(major.count + 1).prefix { $0.isASCII && $0.isNumber }
        }
        return (String(name.isEmpty ? software[...] : name), UInt64(major), UInt64(minor))
    }
}
