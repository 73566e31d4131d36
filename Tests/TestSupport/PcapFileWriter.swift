import NetCore
import Records
import Capture

/// Writes captures in memory, as classic pcap (microsecond magic 0xa1b2c3d4 or nanosecond magic 0xa1b23c4d) or
/// as pcapng (section header, one interface description, enhanced packet blocks), in little-endian order, for
/// any link type. The result is `bytes`, or a file with `write(to:)`.
///
/// Frames longer than `snapLength` are stored cut, with their full length as the original length.
/// `cutLastRecord(keeping:)` chops the file inside the last packet to test truncated captures.
public struct PcapFileWriter: Sendable {
    /// File format.
    public enum Format: Sendable, Hashable, CaseIterable {
        /// Classic pcap, timestamps in microseconds (magic 0xa1b2c3d4).
        case microseconds
        /// Classic pcap, timestamps in nanoseconds (magic 0xa1b23c4d).
        case nanoseconds
        /// pcapng with one interface, timestamps in microseconds (if_tsresol 6, the default).
        case pcapng
    }

    /// The file's format.
    public let format: Format
    /// The LINKTYPE_ value written in the file header.
    public let linkTypeValue: UInt32
    /// Most bytes stored per packet.
    public let snapLength: Int
    /// The file so far.
    public private(set) var bytes: [UInt8] = []
    /// Number of packet records written.
    public private(set) var recordCount = 0
    /// Where the last record's packet data begins, and how many bytes it has.
    private var lastData: (start: Int, length: Int)?

    /// The LINKTYPE_ value for a `LinkType` in a file: raw IP is written as LINKTYPE_RAW (101), and NFQUEUE
    /// payloads (IP without link header) too.
    public static func fileLinkType(for linkType: LinkType) -> UInt32 {
        switch linkType {
        case .raw, .rawPcap, .nfqueue: 101
        default: UInt32(linkType.rawValue)
        }
    }

    /// Starts a capture of `linkType` frames.
    public init(linkType: LinkType = .ethernet, format: Format = .microseconds, snapLength: Int = 262_144) {
        self.init(linkTypeValue: Self.fileLinkType(for: linkType), format: format, snapLength: snapLength)
    }

    /// Starts a capture with any LINKTYPE_ value (also ones slipsd does not support, to test that path).
    public init(linkTypeValue: UInt32, format: Format = .microseconds, snapLength: Int = 262_144) {
        self.format = format
        self.linkTypeValue = linkTypeValue
        self.snapLength = snapLength
        switch format {
        case .microseconds, .nanoseconds:
            bytes.appendLE32(format == .microseconds ? 0xA1B2_C3D4 : 0xA1B2_3C4D)
            bytes.appendLE16(2)    // version 2.4
            bytes.appendLE16(4)
            bytes.appendLE32(0)    // thiszone
            bytes.appendLE32(0)    // sigfigs
            bytes.appendLE32(UInt32(snapLength))
            bytes.appendLE32(linkTypeValue)
        case .pcapng:
            // Section header block: type, length, byte-order magic, version 1.0, section length unknown (-1).
            bytes.appendLE32(0x0A0D_0D0A)
            bytes.appendLE32(28)
            bytes.appendLE32(0x1A2B_3C4D)
            bytes.appendLE16(1)
            bytes.appendLE16(0)
            bytes.appendLE32(0xFFFF_FFFF)
            bytes.appendLE32(0xFFFF_FFFF)
            bytes.appendLE32(28)
            // Interface description block: link type, reserved, snaplen, no options.
            bytes.appendLE32(0x0000_0001)
            bytes.appendLE32(20)
            bytes.appendLE16(UInt16(truncatingIfNeeded: linkTypeValue))
            bytes.appendLE16(0)
            bytes.appendLE32(UInt32(snapLength))
            bytes.appendLE32(20)
        }
    }

    /// Appends one packet. `wireLength` defaults to the frame's length; a frame longer than `snapLength` is
    /// stored cut.
    public mutating func append(_ frame: [UInt8], time: PacketTime, wireLength: Int? = nil) {
        let stored = min(frame.count, snapLength)
        let original = UInt32(max(wireLength ?? frame.count, stored))
        let seconds = time.microseconds / 1_000_000
        let micros = time.microseconds % 1_000_000
        switch format {
        case .microseconds, .nanoseconds:
            bytes.appendLE32(UInt32(truncatingIfNeeded: seconds))
            bytes.appendLE32(UInt32(truncatingIfNeeded: format == .microseconds ? micros : micros * 1000))
            bytes.appendLE32(UInt32(stored))
            bytes.appendLE32(original)
            lastData = (bytes.count, stored)
            bytes.append(contentsOf: frame[0..<stored])
        case .pcapng:
            let padded = (stored + 3) / 4 * 4
            let blockLength = UInt32(32 + padded)
            let ticks = UInt64(time.microseconds)
            bytes.appendLE32(0x0000_0006)
            bytes.appendLE32(blockLength)
            bytes.appendLE32(0)                                   // interface id
            bytes.appendLE32(UInt32(truncatingIfNeeded: ticks >> 32))
            bytes.appendLE32(UInt32(truncatingIfNeeded: ticks))
            bytes.appendLE32(UInt32(stored))
            bytes.appendLE32(original)
            lastData = (bytes.count, stored)
            bytes.append(contentsOf: frame[0..<stored])
            bytes.append(contentsOf: [UInt8](repeating: 0, count: padded - stored))
            bytes.appendLE32(blockLength)
        }
        recordCount += 1
    }

    /// Appends one timed packet (its time, bytes and wire length).
    public mutating func append(_ packet: TimedPacket) {
        append(packet.bytes, time: packet.time, wireLength: packet.wireLength)
    }

    /// Appends packets in order.
    public mutating func append(contentsOf packets: some Sequence<TimedPacket>) {
        for packet in packets { append(packet) }
    }

    /// Cuts the file inside the last record's packet data, keeping its first `keeping` data bytes, as a capture
    /// interrupted mid-write looks (the record header still announces the full length).
    public mutating func cutLastRecord(keeping: Int) {
        guard let last = lastData else { return }
        bytes.removeSubrange((last.start + min(keeping, last.length))...)
        lastData = nil
    }

    /// Writes the file to `path` (created or truncated).
    public func write(to path: String) throws(FileOutputError) {
        let output = try FileOutput(path: path)
        try output.write(bytes)
        try output.close()
    }

    /// A whole capture of `packets` in one call.
    public static func capture(_ packets: [TimedPacket], linkType: LinkType? = nil,
                               format: Format = .microseconds, snapLength: Int = 262_144) -> [UInt8] {
        var writer = PcapFileWriter(linkType: linkType ?? packets.first?.linkType ?? .ethernet, format: format,
                                    snapLength: snapLength)
        writer.append(contentsOf: packets)
        return writer.bytes
    }
}
