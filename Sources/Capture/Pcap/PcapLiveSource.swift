import NetCore
import Records
internal import CPcap
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Live capture settings for `-i IFACE`.
public struct LiveCaptureConfiguration: Sendable {
    /// Interface name (`eth0`).
    public var interface: String
    /// Bytes kept per packet (`pcap_set_snaplen`); default 65535.
    public var snaplen: Int32 = 65535
    /// Promiscuous mode; default true.
    public var promiscuous: Bool = true
    /// Deliver packets as they arrive (`pcap_set_immediate_mode`); default true.
    public var immediate: Bool = true
    /// Kernel ring size in bytes (`pcap_set_buffer_size`); default 32 MiB.
    public var bufferBytes: Int32 = 32 << 20
    /// Optional BPF filter (`--filter`).
    public var filter: String?

    /// Creates settings for an interface with the defaults above.
    public init(interface: String) { self.interface = interface }
}

/// Captures live from an interface through libpcap, in non-blocking mode with `poll` on the selectable fd, so
/// `stop()` takes effect within ~100 ms even when no packet arrives (a blocking read does not return on its
/// timeout with TPACKET_V3).
///
/// Open it before the privilege drop (needs CAP_NET_RAW); `run` on a dedicated capture thread afterwards.
public final class PcapLiveSource: @unchecked Sendable {
    /// The settings it was opened with.
    public let configuration: LiveCaptureConfiguration
    private let handle: PcapHandle
    private let selectableFD: Int32
    private let stopRequested = Atomic<Bool>(false)
    /// Packets handed to the handler so far (any thread may read).
    public let packetsSeen = Atomic<Int>(0)

    /// The interface's link type.
    public var linkType: LinkType { handle.linkType }

    /// Opens and activates the interface (`pcap_create`, snaplen, promisc, immediate, buffer, `pcap_activate`,
    /// filter, `pcap_setnonblock`).
    /// - Throws: `CaptureError` naming the interface and libpcap's reason.
    public init(configuration: LiveCaptureConfiguration) throws(CaptureError) {
        self.configuration = configuration
        let object = "interface \(configuration.interface)"
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let pointer = pcap_create(configuration.interface, &errorBuffer) else {
            throw CaptureError(operation: "opening", object: object,
                               reason: String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        pcap_set_snaplen(pointer, configuration.snaplen)
        pcap_set_promisc(pointer, configuration.promiscuous ? 1 : 0)
        pcap_set_immediate_mode(pointer, configuration.immediate ? 1 : 0)
        pcap_set_buffer_size(pointer, configuration.bufferBytes)
        pcap_set_timeout(pointer, 100)
        let status = pcap_activate(pointer)
        if status < 0 {
            let detail = String(cString: pcap_geterr(pointer))
            let summary = String(cString: pcap_statustostr(status))
            pcap_close(pointer)
            throw CaptureError(operation: "activating capture on", object: object,
                               reason: detail.isEmpty ? summary : "\(summary): \(detail)")
        }
        self.handle = try PcapHandle(pointer: pointer, object: object)
        if let filter = configuration.filter { try handle.setFilter(filter) }
        guard pcap_setnonblock(pointer, 1, &errorBuffer) == 0 else {
            throw CaptureError(operation: "setting non-blocking mode on", object: object, reason: handle.lastError)
        }
        selectableFD = pcap_get_selectable_fd(pointer)
        guard selectableFD >= 0 else {
            throw CaptureError(operation: "polling", object: object, reason: "libpcap offers no selectable descriptor")
        }
    }

    /// Captures until `stop()`: poll (100 ms) → `pcap_dispatch` → handler; calls `handler.idle(now:)` with the
    /// wall clock when nothing arrived. Runs on the calling (dedicated) thread.
    /// - Throws: `CaptureError` when the interface goes away or libpcap fails.
    public func run(handler: any PacketHandler) throws(CaptureError) {
        var descriptor = pollfd(fd: selectableFD, events: Int16(POLLIN), revents: 0)
        while !stopRequested.load(ordering: .relaxed) {
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 {
                if Glibc.errno == EINTR { continue }
                throw CaptureError.system("polling", object: "interface \(configuration.interface)", errno: Glibc.errno)
            }
            if ready == 0 {
                handler.idle(now: Self.wallClock())
                continue
            }
            let result = handle.dispatch(count: -1, handler: handler)
            if result.packets > 0 {
                packetsSeen.add(result.packets, ordering: .relaxed)
                handler.batchEnded()
            }
            if result.status == -1 {
                throw CaptureError(operation: "capturing on", object: "interface \(configuration.interface)",
                                   reason: handle.lastError)
            }
        }
    }

    /// Asks `run` to return; takes effect within one poll interval. Any thread.
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        handle.breakLoop()
    }

    /// Current wall-clock time as a packet time.
    static func wallClock() -> PacketTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return PacketTime(seconds: Int64(now.tv_sec), microseconds: Int64(now.tv_nsec / 1000))
    }
}
