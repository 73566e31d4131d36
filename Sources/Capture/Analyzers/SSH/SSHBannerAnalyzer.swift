import NetCore
import Records

/// The SSH analyzer: reads the identification string (`SSH-2.0-…`, RFC 4253 §4.2) at the start of a TCP payload
/// and emits one `SSHRecord` per direction of an established flow.
///
/// A segment is believed only when the flow's handshake completed (a forged segment cannot make an SSH session
/// appear), and each direction reports once: the per-flow state is two bits in a side table keyed by uid,
/// created when a banner is first seen and freed when the flow's final record leaves the table. The table is
/// bounded (`capacity` flows); at the bound, new banners are counted in `refusedAtCapacity` and not reported.
/// Confined to its pipeline's thread.
final class SSHBannerAnalyzer {
    /// Directions already reported, per flow: bit 0 the originator, bit 1 the responder.
    private var reported: [FlowUID: UInt8] = [:]
    /// The most flows tracked at once.
    let capacity: Int
    /// Banners not reported because `capacity` flows were tracked.
    private(set) var refusedAtCapacity: UInt64 = 0
    /// Banner-looking segments ignored because the flow was not established.
    private(set) var ignoredNotEstablished: UInt64 = 0

    init(capacity: Int = 65_536) { self.capacity = capacity }

    /// Looks at one TCP segment's payload; returns a record for the first banner of each direction.
    @inline(__always)
    func inspect(_ bytes: UnsafeRawBufferPointer, packet: DecodedPacket, update: FlowUpdate) -> SSHRecord? {
        let start = Int(packet.payloadOffset)
        let available = Int(packet.payloadCaptured)
        guard available >= 4, start >= 0, start + available <= bytes.count,
              bytes[start] == 0x53, bytes[start + 1] == 0x53, bytes[start + 2] == 0x48, bytes[start + 3] == 0x2D
        else { return nil }
        return banner(bytes, start: start, available: available, packet: packet, update: update)
    }

    /// The flow ended: its state goes (called for final records only).
    func flowEnded(_ uid: FlowUID) {
        if !reported.isEmpty { reported[uid] = nil }
    }

    private func banner(_ bytes: UnsafeRawBufferPointer, start: Int, available: Int, packet: DecodedPacket,
                        update: FlowUpdate) -> SSHRecord? {
        guard update.isEstablished else {
            ignoredNotEstablished &+= 1
            return nil
        }
        let bit: UInt8 = update.isOriginator ? 1 : 2
        let seen = reported[update.uid] ?? 0
        guard seen & bit == 0 else { return nil }
        if seen == 0, reported.count >= capacity {
            refusedAtCapacity &+= 1
            return nil
        }
        reported[update.uid] = seen | bit
        var end = start
        let limit = start + min(available, 255)
        while end < limit, bytes[end] != 0x0D, bytes[end] != 0x0A { end += 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        let fromServer = !update.isOriginator
        return SSHRecord(time: packet.time, uid: update.uid,
                         client: fromServer ? packet.dstIP : packet.srcIP,
                         clientPort: fromServer ? packet.dstPort : packet.srcPort,
                         server: fromServer ? packet.srcIP : packet.dstIP,
                         serverPort: fromServer ? packet.srcPort : packet.dstPort,
                         banner: text, fromServer: fromServer)
    }
}
