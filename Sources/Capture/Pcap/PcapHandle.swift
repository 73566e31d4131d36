import NetCore
import Records
internal import CPcap
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Owns one `pcap_t` and runs `pcap_dispatch` with a `PacketHandler` as the callback target.
///
/// The callback receives libpcap's own buffer: the handler decodes in place, nothing is copied. Confined to the
/// thread that calls `dispatch`; `breakLoop()` may be called from any thread.
final class PcapHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let object: String
    private(set) var linkType: LinkType
    private let closed = Atomic<Bool>(false)

    init(pointer: OpaquePointer, object: String) throws(CaptureError) {
        self.pointer = pointer
        self.object = object
        let dlt = pcap_datalink(pointer)
        guard let known = LinkType(rawValue: dlt), known != .nfqueue else {
            let name = pcap_datalink_val_to_name(dlt).map { String(cString: $0) } ?? "DLT \(dlt)"
            pcap_close(pointer)
            throw CaptureError(operation: "reading", object: object,
                               reason: "unsupported link type \(name) (\(dlt)); supported: Ethernet, Linux cooked (SLL, SLL2), raw IPv4/IPv6")
        }
        self.linkType = known
    }

    deinit { pcap_close(pointer) }

    /// libpcap's last error text for this handle.
    var lastError: String { String(cString: pcap_geterr(pointer)) }

    /// Compiles and installs a BPF filter (`pcap_compile` + `pcap_setfilter`).
    func setFilter(_ expression: String) throws(CaptureError) {
        var program = bpf_program()
        guard pcap_compile(pointer, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError(operation: "compiling filter", object: "'\(expression)'", reason: lastError)
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(pointer, &program) == 0 else {
            throw CaptureError(operation: "setting filter", object: "'\(expression)' on \(object)", reason: lastError)
        }
    }

    /// Context passed to the C callback: unretained, valid for the duration of one `dispatch` call. The callback
    /// reaches it through `_withUnsafeGuaranteedRef` and calls `deliver`, where `self` is borrowed and `handler` a
    /// `let` of it: no retain or release per packet (two pairs per packet when the handler was an
    /// `unowned(unsafe)` existential read after `takeUnretainedValue()`).
    private final class DispatchContext {
        let handler: any PacketHandler
        let linkType: LinkType
        var lastTime = PacketTime.zero
        var packets = 0
        init(handler: any PacketHandler, linkType: LinkType) { self.handler = handler; self.linkType = linkType }

        /// Hands one packet, still in libpcap's buffer, to the handler.
        @inline(__always)
        func deliver(_ header: UnsafePointer<pcap_pkthdr>, _ bytes: UnsafePointer<UInt8>?) {
            let h = header.pointee
            let time = PcapHandle.packetTime(seconds: Int64(h.ts.tv_sec), microseconds: Int64(h.ts.tv_usec))
            let buffer = UnsafeRawBufferPointer(start: bytes, count: Int(h.caplen))
            _ = handler.handlePacket(buffer, wireLength: Int(h.len), time: time, linkType: linkType)
            lastTime = time
            packets &+= 1
        }
    }

    /// Result of one `dispatch` call.
    struct DispatchResult {
        /// Packets delivered to the handler.
        var packets: Int
        /// Time of the last delivered packet (or `.zero`).
        var lastTime: PacketTime
        /// `pcap_dispatch`'s return: ≥ 0 packets, 0 at end of file, -1 error, -2 broken loop.
        var status: Int32
    }

    /// Runs `pcap_dispatch(count)`, handing every packet to `handler` while libpcap's buffer is valid.
    func dispatch(count: Int32, handler: any PacketHandler) -> DispatchResult {
        let context = DispatchContext(handler: handler, linkType: linkType)
        let status = withExtendedLifetime(context) {
            pcap_dispatch(pointer, count, { user, header, bytes in
                guard let user, let header else { return }            // libpcap always passes both
                Unmanaged<DispatchContext>.fromOpaque(UnsafeRawPointer(user))._withUnsafeGuaranteedRef {
                    $0.deliver(header, bytes)
                }
            }, UnsafeMutableRawPointer(Unmanaged.passUnretained(context).toOpaque()).assumingMemoryBound(to: UInt8.self))
        }
        return DispatchResult(packets: context.packets, lastTime: context.lastTime, status: status)
    }

    /// A capture timestamp as libpcap reports it, sanitised where it enters: the result is in
    /// `0...PacketTime.latest` whatever the file says, so no later time arithmetic can overflow.
    ///
    /// libpcap reads classic pcap's unsigned 32-bit fields as signed, so seconds after 2038 arrive negative: a
    /// value in `Int32.min..<0` is read back as the unsigned 32-bit count it was (up to 2106). A more negative
    /// value is a pcapng 64-bit time beyond `Int64` seconds and is clamped to `PacketTime.latest`. A negative
    /// fraction (a field of 2³¹ or more, sign-extended) is dropped; a fraction of a second or more carries into
    /// the seconds.
    static func packetTime(seconds: Int64, microseconds: Int64) -> PacketTime {
        let unsignedSeconds: Int64
        if seconds >= 0 {
            unsignedSeconds = seconds
        } else if seconds >= Int64(Int32.min) {
            unsignedSeconds = Int64(UInt32(truncatingIfNeeded: seconds))
        } else {
            return .latest
        }
        return PacketTime(sanitizingSeconds: unsignedSeconds, fraction: max(0, microseconds), unitsPerSecond: 1_000_000)
    }

    /// Makes a running `dispatch` return as soon as possible (`pcap_breakloop`). Any thread.
    func breakLoop() { pcap_breakloop(pointer) }
}
