/// TCP flags for the packet builder, as an option set (`[.syn, .ack]`).
public struct TCPFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)

    /// SYN and ACK: the second packet of a handshake.
    public static let synAck: TCPFlags = [.syn, .ack]
    /// RST and ACK: how a closed port answers a SYN.
    public static let rstAck: TCPFlags = [.rst, .ack]
    /// FIN and ACK: a normal close.
    public static let finAck: TCPFlags = [.fin, .ack]
    /// PSH and ACK: a data segment.
    public static let pshAck: TCPFlags = [.psh, .ack]

    /// Letters in tcpdump's style: `S`, `S.`, `F.`, `R.`, `P.`, …
    public var description: String {
        var text = ""
        if contains(.syn) { text += "S" }
        if contains(.fin) { text += "F" }
        if contains(.rst) { text += "R" }
        if contains(.psh) { text += "P" }
        if contains(.urg) { text += "U" }
        if contains(.ece) { text += "E" }
        if contains(.cwr) { text += "W" }
        if contains(.ack) { text += "." }
        return text.isEmpty ? "none" : text
    }
}

/// A TCP option for the packet builder. The builder pads the option list with end-of-list bytes to a multiple
/// of four.
public enum TCPOption: Sendable, Hashable {
    /// No-operation (kind 1).
    case nop
    /// Maximum segment size (kind 2, length 4).
    case mss(UInt16)
    /// Window scale shift (kind 3, length 3).
    case windowScale(UInt8)
    /// SACK permitted (kind 4, length 2).
    case sackPermitted
    /// Timestamps (kind 8, length 10).
    case timestamps(value: UInt32, echo: UInt32)
    /// Any bytes, written as given.
    case raw([UInt8])

    /// The option's encoding.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .nop: out = [1]
        case .mss(let value): out = [2, 4]; out.appendBE16(value)
        case .windowScale(let shift): out = [3, 3, shift]
        case .sackPermitted: out = [4, 2]
        case .timestamps(let value, let echo): out = [8, 10]; out.appendBE32(value); out.appendBE32(echo)
        case .raw(let bytes): out = bytes
        }
        return out
    }

    /// The options a Linux client puts on its SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale 7
    /// (20 bytes).
    public static let linuxSYN: [TCPOption] = [
        .mss(1460), .sackPermitted, .timestamps(value: 1_000_000, echo: 0), .nop, .windowScale(7),
    ]

    /// Encodes `options` padded with zeros (end of option list) to a multiple of four bytes.
    public static func encode(_ options: [TCPOption]) -> [UInt8] {
        var out = options.flatMap(\.bytes)
        while out.count % 4 != 0 { out.append(0) }
        return out
    }
}
