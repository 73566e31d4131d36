#if canImport(Glibc)
import Glibc
#endif
internal import CMnl
import SystemPackage

/// Owns one `NETLINK_NETFILTER` socket opened with libmnl (`mnl_socket_open`), bound to an automatic port id.
///
/// Set up for nftables transactions: the send buffer is raised with `SO_SNDBUFFORCE` (falling back to
/// `SO_SNDBUF`, which `net.core.wmem_max` caps) because one transaction is one `sendmsg`; the receive buffer is
/// raised the same way; `NETLINK_CAP_ACK` keeps error acks from echoing the whole request and `NETLINK_EXT_ACK`
/// asks the kernel for an error text. A 5 s receive timeout guards every wait for an answer.
///
/// The socket belongs to the network namespace of the thread that created it. Not thread-safe: its owner
/// serialises access. nfnetlink checks CAP_NET_ADMIN of the *sending thread* on every message.
public final class NetlinkSocket {
    /// The libmnl handle; nil after `close()`.
    private var handle: OpaquePointer?
    /// The netlink port id the kernel assigned at bind time (`mnl_socket_get_portid`).
    public let portID: UInt32
    /// The largest datagram `send` accepts: the effective send buffer minus the kernel's 32-byte reserve.
    public let sendLimit: Int
    /// Next sequence number to hand out.
    private var sequence: UInt32
    /// Receive buffer: large enough for any netlink dump datagram (the kernel caps those at 32 KB).
    private let receiveBuffer: UnsafeMutableRawBufferPointer

    /// Opens, binds and configures the socket.
    /// - Parameters:
    ///   - sendBufferBytes: requested send buffer (the kernel doubles it); bounds one transaction's size.
    ///   - receiveBufferBytes: requested receive buffer for acks and dumps.
    /// - Throws: `SystemError` naming the failing call (`mnl_socket_open`, `mnl_socket_bind`).
    public init(sendBufferBytes: Int = 8 << 20, receiveBufferBytes: Int = 4 << 20) throws(SystemError) {
        guard let nl = mnl_socket_open(NETLINK_NETFILTER) else {
            throw SystemError.current("opening a NETLINK_NETFILTER socket (mnl_socket_open)")
        }
        guard mnl_socket_bind(nl, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let error = SystemError.current("binding the netlink socket (mnl_socket_bind)")
            mnl_socket_close(nl)
            throw error
        }
        let fd = mnl_socket_get_fd(nl)
        NetlinkSocket.setBuffer(fd: fd, force: SO_SNDBUFFORCE, plain: SO_SNDBUF, bytes: sendBufferBytes)
        NetlinkSocket.setBuffer(fd: fd, force: SO_RCVBUFFORCE, plain: SO_RCVBUF, bytes: receiveBufferBytes)
        var one: Int32 = 1
        // Best effort: both exist since Linux 4.2/4.12; without them acks are just longer.
        _ = mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var effective: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &effective, &length)
        handle = nl
        portID = mnl_socket_get_portid(nl)
        sendLimit = max(Int(effective) - 32 - 1024, 16 * 1024)
        sequence = UInt32(truncatingIfNeeded: time(nil))
        receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    }

    deinit {
        close()
        receiveBuffer.deallocate()
    }

    /// Closes the socket (`mnl_socket_close`); later calls throw. Idempotent.
    public func close() {
        if let nl = handle { mnl_socket_close(nl) }
        handle = nil
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
        let nl = try open(operation)
        try Syscall.retrying(operation) { mnl_socket_sendto(nl, bytes.baseAddress, bytes.count) }
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
    private func open(_ operation: String) throws(SystemError) -> OpaquePointer {
        guard let nl = handle else {
            throw SystemError(operation, object: "(the netlink socket is closed)", errno: .badFileDescriptor)
        }
        return nl
    }

    /// Sets a socket buffer with the privileged FORCE option, falling back to the capped plain option.
    private static func setBuffer(fd: Int32, force: Int32, plain: Int32, bytes: Int) {
        var value = Int32(clamping: bytes)
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd, SOL_SOCKET, force, &value, size) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, plain, &value, size)
        }
    }
}
