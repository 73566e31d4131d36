import NetCore
import Records
/// What to do with a packet seen inline. Passive sources ignore it.
public enum PacketVerdict: UInt8, Sendable, BitwiseCopyable {
    case accept
    case drop
}

/// Receives every packet of a source on that source's capture thread, while the bytes are valid.
///
/// The bytes belong to the source (libpcap's ring, the NFQUEUE receive buffer): read them during the call only,
/// never keep a pointer. Implementations are confined to one capture thread and are not `Sendable`.
public protocol PacketHandler: AnyObject {
    /// Handles one packet.
    /// - Parameters:
    ///   - bytes: the captured bytes, starting at the link header described by `linkType`.
    ///   - wireLength: the packet's length on the wire (may exceed `bytes.count` when cut by the snaplen).
    ///   - time: capture time.
    ///   - linkType: framing of `bytes`.
    /// - Returns: the verdict for inline sources.
    func handlePacket(_ bytes: UnsafeRawBufferPointer, wireLength: Int, time: PacketTime,
                      linkType: LinkType) -> PacketVerdict

    /// Called on the capture thread when no packet arrived for a while (at most every few hundred ms) with the
    /// current wall-clock time, so idle flows still expire and batches get flushed in live modes.
    func idle(now: PacketTime)

    /// Called on the capture thread after each batch of packets (one `pcap_dispatch`, or an NFQUEUE burst: the
    /// queue drained or a verdict batch's worth), so the handler hands its records over once per batch rather
    /// than once per packet.
    func batchEnded()

    /// Called on the capture thread once its source stopped (inline: after every queued packet got its
    /// verdict), so the handler can flush what it holds. Offline readers call `finish` themselves.
    func sourceStopped()
}

extension PacketHandler {
    /// Nothing to flush by default.
    public func sourceStopped() {}

    /// Nothing held between packets by default.
    public func batchEnded() {}
}
