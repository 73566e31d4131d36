#if canImport(Glibc)
import Glibc
#endif
internal import CMnl
import Synchronization
import SystemPackage

/// Owns one `NETLINK_NETFILTER` socket opened with libmnl (`mnl_socket_open2`, close-on-exec), bound to an
/// automatic port id: the one netlink socket type of slipsd, used by nftables (Blocker) and NFQUEUE (Capture).
///
/// `Options.nftables` sets it up for transactions: the send buffer is raised with `SO_SNDBUFFORCE` (falling back
/// to `SO_SNDBUF`, which `net.core.wmem_max` caps) because one transaction is one `sendmsg`; the receive buffer is
/// raised the same way; `NETLINK_CAP_ACK` keeps error acks from echoing the whole request and `NETLINK_EXT_ACK`
/// asks the kernel for an error text; a 5 s receive timeout guards every wait for an answer.
/// `Options.nfqueue(receiveBufferBytes:)` sets it up for a queue: a large receive buffer (required) and
/// `NETLINK_NO_ENOBUFS`; receives are non-blocking (`receiveNonBlocking`).
///
/// The socket belongs to the network namespace of the thread that created it. `receive` and `nextSequence` are
/// for one thread at a time (the owner serialises them); `send` may be called from several threads at once
/// (concurrent `sendto` on one netlink socket is safe in the kernel; each sender brings its own buffer), and
/// `close` is idempotent. nfnetlink checks CAP_NET_ADMIN of the *sending thread* on every message.
public final class NetlinkSocket {
    /// How to set the socket up.
    public struct Options: Sendable, Hashable {
        /// Requested send buffer (the kernel doubles it); nil keeps the default.
        public var sendBufferBytes: Int?
        /// Requested receive buffer; nil keeps the default.
        public var receiveBufferBytes: Int?
        /// Fail when neither SO_RCVBUFFORCE nor SO_RCVBUF could set the receive buffer.
        public var receiveBufferRequired: Bool
        /// `NETLINK_CAP_ACK` and `NETLINK_EXT_ACK` (best effort).
        public var shortAcks: Bool
        /// `NETLINK_NO_ENOBUFS`: overruns are counted by the kernel instead of failing a receive (required).
        public var noENOBUFS: Bool
        /// A receive timeout for blocking waits, in seconds; nil for none.
        public var receiveTimeoutSeconds: Int?

        /// Creates options; see the properties.
        public init(sendBufferBytes: Int? = nil, receiveBufferBytes: Int? = nil, receiveBufferRequired: Bool = false,
                    shortAcks: Bool = false, noENOBUFS: Bool = false, receiveTimeoutSeconds: Int? = nil) {
            self.sendBufferBytes = sendBufferBytes
            self.receiveBufferBytes = receiveBufferBytes
            self.receiveBufferRequired = receiveBufferRequired
            self.shortAcks = shortAcks
            self.noENOBUFS = noENOBUFS
            self.receiveTimeoutSeconds = receiveTimeoutSeconds
        }

        /// For nftables transactions and dumps.
        public static func nftables(sendBufferBytes: Int = 8 << 20, receiveBufferBytes: Int = 4 << 20) -> Options {
            Options(sendBufferBytes: sendBufferBytes, receiveBufferBytes: receiveBufferBytes, shortAcks: true,
                    receiveTimeoutSeconds: 5)
        }

        /// For one NFQUEUE queue.
        public static func nfqueue(receiveBufferBytes: Int) -> Options {
            Options(receiveBufferBytes: receiveBufferBytes, receiveBufferRequired: true, noENOBUFS: true)
        }
    }

    /// The libmnl handle.
    private let handle: OpaquePointer
    private let closed = Atomic<Bool>(false)
    /// The socket's file descriptor (for `poll`, `recv`).
    public let fd: Int32
    /// The netlink port id the kernel assigned at bind time (`mnl_socket_get_portid`).
    public let portID: UInt32
    /// The largest datagram `send` accepts: the effective send buffer minus the kernel's 32-byte reserve.
    public let sendLimit: Int
    /// Next sequence number to hand out.
    private var sequence: UInt32
    /// Receive buffer of `receive(wait:operation:)`: large enough for any netlink dump datagram (the kernel caps
    /// those at 32 KB).
    private let receiveBuffer: UnsafeMutableRawBufferPointer

    /// Opens, binds and configures the socket for nftables (`Options.nftables`).
    /// - Throws: `SystemError` naming the failing call (`mnl_socket_open2`, `mnl_socket_bind`, `setsockopt`).
    public convenience init(sendBufferBytes: Int = 8 << 20, receiveBufferBytes: Int = 4 << 20) throws(SystemError) {
        try self.init(options: .nftables(sendBufferBytes: sendBufferBytes, receiveBufferBytes: receiveBufferBytes))
    }

    /// Opens, binds and configures the socket.
    /// - Parameters:
    ///   - options: buffers and socket options.
    ///   - object: what the socket serves, for error messages ("NFQUEUE queue 3").
    /// - Throws: `SystemError` naming the failing call (`mnl_socket_open2`, `mnl_socket_bind`, `setsockopt`).
    public init(options: Options, object: String = "") throws(SystemError) {
        guard let nl = mnl_socket_open2(NETLINK_NETFILTER, Int32(SOCK_CLOEXEC.rawValue)) else {
            throw SystemError.current("opening a NETLINK_NETFILTER socket (mnl_socket_open2) for", object: object)
        }
        guard mnl_socket_bind(nl, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let error = SystemError.current("binding the netlink socket (mnl_socket_bind) of", object: object)
            mnl_socket_close(nl)
            throw error
        }
        let fd = mnl_socket_get_fd(nl)
        do throws(SystemError) {
            try NetlinkSocket.configure(fd: fd, handle: nl, options: options, object: object)
        } catch {
            mnl_socket_close(nl)
            throw error
        }
        var effective: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &effective, &length)
        handle = nl
        self.fd = fd
        portID = mnl_socket_get_portid(nl)
        sendLimit = max(Int(effective) - 32 - 1024, 16 * 1024)
        sequence = UInt32(truncatingIfNeeded: time(nil))
        receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    }

    private static func configure(fd: Int32, handle nl: OpaquePointer, options: Options,
                                  object: String) throws(SystemError) {
        if let bytes = options.sendBufferBytes {
            _ = setBuffer(fd: fd, force: SO_SNDBUFFORCE, plain: SO_SNDBUF, bytes: bytes)
        }
        if let bytes = options.receiveBufferBytes,
           !setBuffer(fd: fd, force: SO_RCVBUFFORCE, plain: SO_RCVBUF, bytes: bytes), options.receiveBufferRequired {
            throw SystemError.current("setting the receive buffer (\(bytes) bytes) of", object: object)
        }
        var one: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        if options.shortAcks {
            // Best effort: both exist since Linux 4.2/4.12; without them acks are just longer.
            _ = mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, size)
            _ = mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, size)
        }
        if options.noENOBUFS, setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, size) < 0 {
            throw SystemError.current("setting NETLINK_NO_ENOBUFS on", object: object)
        }
        if let seconds = options.receiveTimeoutSeconds {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    deinit {
        close()
        receiveBuffer.deallocate()
    }

    /// Closes the socket (`mnl_socket_close`); later calls throw. Idempotent, any thread.
    public func close() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) { mnl_socket_close(handle) }
    }

    /// Hands out `count` consecutive sequence numbers and returns the first.
    public func nextSequence(count: UInt32 = 1) -> UInt32 {
        let first = sequence
        sequence &+= count
        return first
    }

    /// Sends one datagram (`mnl_socket_sendto`), retrying on EINTR.
    /// - Throws: `SystemError` with the errno (EPERM: the calling thread lacks CAP_NET_ADMIN;
    ///   EMSGSIZE: the datagram exceeds the send buffer; EBADF: the socket was closed).
    public func send(_ bytes: UnsafeRawBufferPointer, operation: String) throws(SystemError) {
        guard let base = bytes.baseAddress else { return }
        try send(base, count: bytes.count, operation: operation)
    }

    /// Sends `count` bytes at `bytes` (`mnl_socket_sendto`), retrying on EINTR. Any thread.
    /// - Throws: `SystemError` with the errno (EPERM: the calling thread lacks CAP_NET_ADMIN; ENOBUFS under
    ///   memory pressure; EBADF after `close`).
    @inline(__always)
    public func send(_ bytes: UnsafeRawPointer, count: Int, operation: String) throws(SystemError) {
        let nl = try open(operation)
        try Syscall.retrying(operation) { mnl_socket_sendto(nl, bytes, count) }
    }

    /// Outcome of one non-blocking receive.
    public enum Receive: Sendable {
        /// A datagram of this many bytes; larger than the buffer means it was cut (`MSG_TRUNC`).
        case bytes(Int)
        /// Nothing pending (`EAGAIN`).
        case wouldBlock
        /// The socket buffer overflowed (`ENOBUFS`); messages were lost.
        case overrun
        /// Any other errno.
        case failed(Errno)
    }

    /// Receives one datagram into the caller's buffer without blocking (`recv` with `MSG_DONTWAIT | MSG_TRUNC`),
    /// retrying EINTR. No allocation: the NFQUEUE packet thread calls it per datagram.
    @inline(__always)
    public func receiveNonBlocking(into buffer: UnsafeMutableRawBufferPointer) -> Receive {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC))
            if n >= 0 { return .bytes(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case ENOBUFS: return .overrun
            case let e: return .failed(Errno(rawValue: e))
            }
        }
    }

    /// Waits up to `timeoutMilliseconds` for data (`poll`); true when readable. 0 checks without waiting.
    public func waitReadable(timeoutMilliseconds: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, timeoutMilliseconds) > 0
    }

    /// Messages the kernel could not deliver to this socket (`SO_MEMINFO` drops). With `NETLINK_NO_ENOBUFS` set,
    /// this is the only place receive overruns show up.
    public func kernelDrops() -> UInt64 {
        // struct sock's meminfo array (linux/sock_diag.h): SK_MEMINFO_DROPS is index 8.
        let dropsIndex = 8
        var info = [UInt32](repeating: 0, count: 16)
        var length = socklen_t(info.count * 4)
        let rc = info.withUnsafeMutableBytes { getsockopt(fd, SOL_SOCKET, 55 /* SO_MEMINFO */, $0.baseAddress,
                                                          &length) }
        guard rc == 0, Int(length) / 4 > dropsIndex else { return 0 }
        return UInt64(info[dropsIndex])
    }

    /// Receives one datagram and returns a view of it, valid until the next `receive`.
    /// - Parameter wait: false to return nil at once when nothing is queued (`MSG_DONTWAIT`).
    /// - Returns: nil when nothing arrived (non-blocking, or the 5 s timeout passed).
    /// - Throws: `SystemError` for any other failure (ENOBUFS: acks were lost to an overflowing buffer;
    ///   EMSGSIZE: the datagram was larger than the receive buffer).
    public func receive(wait: Bool, operation: String) throws(SystemError) -> UnsafeRawBufferPointer? {
        let nl = try open(operation)
        let fd = mnl_socket_get_fd(nl)
        let buffer = receiveBuffer
        let flags: Int32 = wait ? 0 : Int32(MSG_DONTWAIT)
        let count = try Syscall.retrying(operation, allowAgain: true) {
            recv(fd, buffer.baseAddress, buffer.count, flags | Int32(MSG_TRUNC))
        }
        guard let count else { return nil }
        guard count <= buffer.count else {
            throw SystemError(operation, object: "(netlink datagram of \(count) bytes truncated)", errno: .messageTooLong)
        }
        return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
    }

    /// The handle, or an error when the socket was closed.
    @inline(__always)
    private func open(_ operation: String) throws(SystemError) -> OpaquePointer {
        guard !closed.load(ordering: .relaxed) else {
            throw SystemError(operation, object: "(the netlink socket is closed)", errno: .badFileDescriptor)
        }
        return handle
    }

    /// Sets a socket buffer with the privileged FORCE option (ignores the sysctl cap, needs CAP_NET_ADMIN),
    /// falling back to the capped plain option. False when both failed.
    private static func setBuffer(fd: Int32, force: Int32, plain: Int32, bytes: Int) -> Bool {
        var value = Int32(clamping: bytes)
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd, SOL_SOCKET, force, &value, size) == 0 { return true }
        return setsockopt(fd, SOL_SOCKET, plain, &value, size) == 0
    }
}
