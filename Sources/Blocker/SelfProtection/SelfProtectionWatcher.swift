import NetCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
internal import CMnl

/// Keeps a `SelfProtection` current while the daemon runs: a thread of its own listens to rtnetlink's address
/// and route groups (IPv4 and IPv6) and refreshes the snapshot after every change — a gateway or address learned
/// later over DHCP or PPPoE is protected within milliseconds — and refreshes every `interval` anyway, for
/// resolv.conf, which rtnetlink does not announce.
///
/// The thread reads the network namespace of the thread that starts it (it inherits it). It needs no capability:
/// start it after the privilege drop. `stop()` ends it within half a second.
public final class SelfProtectionWatcher: Sendable {
    private let thread: OSThread
    private let shared: Shared

    /// Refreshes done because rtnetlink announced a change or the interval passed.
    public var refreshes: Int { shared.refreshes.load(ordering: .relaxed) }

    private final class Shared: Sendable {
        let stop = Atomic<Bool>(false)
        let refreshes = Atomic<Int>(0)
    }

    private init(thread: OSThread, shared: Shared) {
        self.thread = thread
        self.shared = shared
    }

    /// Starts watching.
    /// - Parameters:
    ///   - protection: the snapshot to keep current.
    ///   - interval: refresh period without events (resolv.conf).
    /// - Throws: `BlockerError` when the rtnetlink socket cannot be opened or the thread cannot start.
    public static func start(_ protection: SelfProtection, interval: Duration = .seconds(5)) throws -> SelfProtectionWatcher {
        let fd = try openRouteEvents()
        let shared = Shared()
        let intervalSeconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let thread: OSThread
        do {
            thread = try OSThread.spawn(name: "slipsd-selfprot", object: "self-protection") {
                defer { close(fd) }
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                var lastRefresh = MonotonicClock.now()
                while !shared.stop.load(ordering: .relaxed) {
                    var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&descriptor, 1, 500) > 0
                    var changed = false
                    if ready {
                        // Drain every pending event (or an overflow, ENOBUFS): one refresh covers them all.
                        while true {
                            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                            if n > 0 { changed = true; continue }
                            if n < 0 && errno == ENOBUFS { changed = true; continue }
                            if n < 0 && errno == EINTR { continue }
                            break
                        }
                    }
                    if changed || MonotonicClock.now() - lastRefresh >= intervalSeconds {
                        protection.refresh()
                        lastRefresh = MonotonicClock.now()
                        shared.refreshes.add(1, ordering: .relaxed)
                    }
                }
            }
        } catch {
            close(fd)
            throw BlockerError(error)
        }
        return SelfProtectionWatcher(thread: thread, shared: shared)
    }

    /// Stops the thread and waits for it.
    public func stop() {
        shared.stop.store(true, ordering: .relaxed)
        thread.join()
    }

    /// rtnetlink multicast groups (linux/rtnetlink.h): IPv4/IPv6 address and route changes.
    private static let groups: UInt32 = 0x10 /* RTMGRP_IPV4_IFADDR */ | 0x40 /* RTMGRP_IPV4_ROUTE */
        | 0x100 /* RTMGRP_IPV6_IFADDR */ | 0x400 /* RTMGRP_IPV6_ROUTE */

    /// A `NETLINK_ROUTE` socket subscribed to `groups` (no privilege needed to listen).
    private static func openRouteEvents() throws -> Int32 {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0 /* NETLINK_ROUTE */)
        guard fd >= 0 else { throw BlockerError.system("opening an rtnetlink socket for self-protection") }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = groups
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        guard bound == 0 else {
            let error = BlockerError.system("subscribing to rtnetlink address and route events")
            close(fd)
            throw error
        }
        return fd
    }
}
