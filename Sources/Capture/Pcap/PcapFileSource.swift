import NetCore
import Records
internal import CPcap
#if canImport(Glibc)
import Glibc
#endif

/// Reads a pcap or pcapng file to its end through libpcap, handing each packet to a `PacketHandler` from
/// libpcap's buffer (no copy).
///
/// Runs on the thread that calls `run` (the offline analysis gives it a dedicated thread). A file that ends in
/// the middle of a packet keeps every packet read before the cut and reports the truncation.
public final class PcapFileSource {
    /// What a finished read saw.
    public struct Summary: Sendable {
        /// Packets handed to the handler.
        public var packets: Int
        /// Time of the last packet.
        public var lastTime: PacketTime
        /// libpcap's message when the file ended in the middle of a record (e.g. "truncated dump file; …").
        public var truncation: String?
    }

    /// The file's path.
    public let path: String
    private let handle: PcapHandle

    /// The capture's link type.
    public var linkType: LinkType { handle.linkType }

    /// Opens `path` (`pcap_open_offline_with_tstamp_precision`, microseconds).
    /// - Throws: `CaptureError` naming the file and libpcap's reason (missing, unreadable, not a capture,
    ///   unsupported link type).
    public init(path: String) throws(CaptureError) {
        self.path = path
        var info = stat()
        if stat(path, &info) != 0 {
            throw CaptureError.system("opening capture file", object: path, errno: Glibc.errno)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw CaptureError(operation: "opening capture file", object: path, reason: "is a directory")
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let pointer = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_MICRO),
                                                                    &errorBuffer) else {
            var reason = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if reason.contains("unknown file format") || reason.contains("bad dump file format") {
                reason = "not a pcap or pcapng capture (\(reason))"
            } else if reason.contains("truncated dump file") {
                reason = "the file is too short to hold a capture header (\(reason))"
            }
            throw CaptureError(operation: "opening capture file", object: path, reason: reason)
        }
        self.handle = try PcapHandle(pointer: pointer, object: path)
    }

    /// Reads every packet, calling `handler.handlePacket` for each, on the calling thread.
    /// - Parameter shouldStop: polled between batches; return true to stop early (e.g. on SIGINT).
    /// - Throws: `CaptureError` when libpcap reports a read error other than truncation at the end.
    public func run(handler: any PacketHandler, shouldStop: () -> Bool = { false }) throws(CaptureError) -> Summary {
        var summary = Summary(packets: 0, lastTime: .zero, truncation: nil)
        while !shouldStop() {
            let result = handle.dispatch(count: 4096, handler: handler)
            if result.packets > 0 {
                summary.packets += result.packets
                summary.lastTime = result.lastTime
            }
            if result.status == 0 { break }                        // end of file
            if result.status == -2 { break }                       // pcap_breakloop
            if result.status == -1 {
                let message = handle.lastError
                if message.contains("truncated") {
                    summary.truncation = message
                    break
                }
                throw CaptureError(operation: "reading capture file", object: path, reason: message)
            }
        }
        return summary
    }

    /// Asks a running `run` to stop after the current packet (`pcap_breakloop`). Any thread.
    public func stop() { handle.breakLoop() }
}
