import NetCore
import Records
import Capture

/// One frame with its capture time and framing: what a scenario generator returns and a pcap writer stores.
public struct TimedPacket: Sendable, Hashable {
    /// Capture time.
    public var time: PacketTime
    /// The frame, starting at the link header of `linkType`.
    public var bytes: [UInt8]
    /// Length on the wire; larger than `bytes.count` for a snaplen-cut packet.
    public var wireLength: Int
    /// Framing of `bytes`.
    public var linkType: LinkType

    /// Creates a timed packet; `wireLength` defaults to the number of bytes.
    public init(time: PacketTime, bytes: [UInt8], wireLength: Int? = nil, linkType: LinkType = .ethernet) {
        self.time = time
        self.bytes = bytes
        self.wireLength = wireLength ?? bytes.count
        self.linkType = linkType
    }

    /// Decodes the packet with `PacketDecoder` (a convenience for tests).
    public func decoded() throws(DecodeError) -> DecodedPacket {
        // `Array.withUnsafeBytes` rethrows untyped errors: carry the typed error out in a `Result`.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DecodeError) -> DecodedPacket in
                try PacketDecoder.decode(raw, wireLength: wireLength, time: time, linkType: linkType)
            }
        }
        return try result.get()
    }

    /// The packet cut to its first `snapLength` bytes, keeping the wire length (what a capture with that
    /// snaplen stores).
    public func cut(to snapLength: Int) -> TimedPacket {
        TimedPacket(time: time, bytes: Array(bytes.prefix(snapLength)), wireLength: wireLength,
                    linkType: linkType)
    }
}

extension PacketBuilder {
    /// Decodes `frame` as a packet of `linkType` (wire length defaults to the frame's length).
    public static func decode(_ frame: [UInt8], linkType: LinkType = .ethernet, wireLength: Int? = nil,
                              time: PacketTime = .zero) throws(DecodeError) -> DecodedPacket {
        try TimedPacket(time: time, bytes: frame, wireLength: wireLength, linkType: linkType).decoded()
    }
}
