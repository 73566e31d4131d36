import NetCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The addresses slipsd must never block, and why: every address of every interface, loopback, the gateways
/// of the routing tables (default routes first), the resolvers of resolv.conf and the upstream servers of a local
/// caching resolver (systemd-resolved, NetworkManager, dnsmasq through resolvconf), non-unicast addresses, the
/// operator's allowlist, and — with `Sources.connectedSubnets` (`blocking.protect_connected_subnets`) — every
/// host of the directly connected subnets.
///
/// `refresh()` re-reads interfaces, routes and resolv.conf (interfaces change at run time; `SelfProtectionWatcher`
/// calls it on every rtnetlink address or route event and every few seconds); the allowlist is
/// fixed at creation. Reads happen in the network namespace of the calling thread (for /proc files, use the
/// `/proc/thread-self/net/...` paths when threads live in different namespaces). Thread-safe: lookups and
/// refreshes may come from any thread.
public final class SelfProtection: Sendable {
    /// Where the dynamic addresses come from; nil disables a source. Injectable for tests.
    public struct Sources: Sendable, Equatable {
        /// resolv.conf path (default `/etc/resolv.conf`).
        public var resolvConfPath: String?
        /// Files in resolv.conf's format where a local caching resolver keeps the upstream servers it forwards to
        /// (`defaultUpstreamResolverPaths`); read when they exist. With systemd-resolved, resolv.conf names only its
        /// stub 127.0.0.53, so a feed listing the real upstream server would otherwise cut off the gateway's DNS.
        public var upstreamResolverPaths: [String]
        /// IPv4 routing table (default `/proc/thread-self/net/route`: the calling thread's namespace).
        public var ipv4RoutesPath: String?
        /// IPv6 routing table (default `/proc/thread-self/net/ipv6_route`).
        public var ipv6RoutesPath: String?
        /// Whether to read interface addresses with `getifaddrs`.
        public var interfaces: Bool
        /// Whether the directly connected (on-link) subnets are protected too: the prefixes of the interfaces'
        /// addresses and the routes without a gateway (off by default: hosts on the LAN can then never be
        /// blocked, however they behave).
        public var connectedSubnets: Bool

        /// systemd-resolved's upstream list, NetworkManager's (beside a stub, and its own), and the one Debian's
        /// dnsmasq package reads when resolvconf feeds it.
        public static let defaultUpstreamResolverPaths = [
            "/run/systemd/resolve/resolv.conf", "/run/NetworkManager/no-stub-resolv.conf",
            "/run/NetworkManager/resolv.conf", "/run/dnsmasq/resolv.conf",
        ]

        /// The system's defaults.
        public init(resolvConfPath: String? = "/etc/resolv.conf",
                    upstreamResolverPaths: [String] = Sources.defaultUpstreamResolverPaths,
                    ipv4RoutesPath: String? = "/proc/thread-self/net/route",
                    ipv6RoutesPath: String? = "/proc/thread-self/net/ipv6_route", interfaces: Bool = true,
                    connectedSubnets: Bool = false) {
            self.resolvConfPath = resolvConfPath
            self.upstreamResolverPaths = upstreamResolverPaths
            self.ipv4RoutesPath = ipv4RoutesPath
            self.ipv6RoutesPath = ipv6RoutesPath
            self.interfaces = interfaces
            self.connectedSubnets = connectedSubnets
        }
    }

    /// One protected range and the reason given when an address falls inside it.
    public struct Rule: Sendable, Equatable, CustomStringConvertible {
        /// The protected addresses (a host range for single addresses).
        public var range: CIDR
        /// Why, phrased to follow the address: "is the default gateway (via eth0)".
        public var reason: String
        /// `range: reason`.
        public var description: String { "\(range): \(reason)" }
    }

    private struct Snapshot {
        var hosts: [IPAddress: String] = [:]
        var ranges: [Rule] = []
        var warnings: [String] = []
    }

    /// The sources read by `refresh`.
    public let sources: Sources
    /// The operator's allowlist.
    public let allowlist: [CIDR]
    private let snapshot: Mutex<Snapshot>

    /// Ranges protected regardless of configuration: loopback and addresses that cannot be a blockable host.
    static let builtInRanges: [Rule] = [
        Rule(range: CIDR("127.0.0.0/8")!, reason: "is a loopback address (127.0.0.0/8)"),
        Rule(range: CIDR("::1/128")!, reason: "is the IPv6 loopback address"),
        Rule(range: CIDR("0.0.0.0/32")!, reason: "is the unspecified address"),
        Rule(range: CIDR("::/128")!, reason: "is the unspecified address"),
        Rule(range: CIDR("255.255.255.255/32")!, reason: "is the limited broadcast address"),
        Rule(range: CIDR("224.0.0.0/4")!, reason: "is a multicast address"),
        Rule(range: CIDR("ff00::/8")!, reason: "is a multicast address"),
    ]

    /// Creates the guard and reads the sources once (see `refresh`; problems are kept in `warnings`).
    /// - Parameters:
    ///   - allowlist: operator-configured addresses and ranges never to block.
    ///   - sources: where interfaces, gateways and resolvers come from.
    public init(allowlist: [CIDR] = [], sources: Sources = Sources()) {
        self.allowlist = allowlist
        self.sources = sources
        snapshot = Mutex(Snapshot())
        refresh()
    }

    /// Re-reads interfaces, routing tables and resolv.conf, replacing the previous snapshot atomically.
    /// A source that cannot be read is skipped with a warning (the rest still protects).
    /// - Returns: the warnings, e.g. "cannot read /etc/resolv.conf: No such file or directory (ENOENT)".
    @discardableResult
    public func refresh() -> [String] {
        var next = Snapshot()
        func protect(_ address: IPAddress, _ reason: String) {
            if next.hosts[address] == nil { next.hosts[address] = reason }
        }
        var connected: [Rule] = []
        func protectSubnet(_ range: CIDR, _ interface: String) {
            guard !range.isHost, range.prefixLength > 0, !connected.contains(where: { $0.range == range }) else { return }
            connected.append(Rule(range: range, reason: "is on the directly connected subnet \(range) (\(interface))"))
        }
        if sources.interfaces {
            do {
                for (address, interface, prefix) in try InterfaceAddresses.withPrefixes() {
                    protect(address, "is an address of interface \(interface)")
                    if sources.connectedSubnets, interface != "lo", let prefix,
                       let range = CIDR(network: address, prefixLength: prefix) {
                        protectSubnet(range, interface)
                    }
                }
            } catch {
                next.warnings.append("cannot list interface addresses: \(error)")
            }
        }
        var gateways: [RouteTable.Gateway] = []
        if let path = sources.ipv4RoutesPath {
            do {
                let text = try TextFile.read(path)
                gateways += RouteTable.ipv4Gateways(text)
                if sources.connectedSubnets { for route in RouteTable.ipv4OnLink(text) { protectSubnet(route.range, route.interface) } }
            } catch {
                next.warnings.append("cannot read \(path): \(error)")
            }
        }
        if let path = sources.ipv6RoutesPath {
            do {
                let text = try TextFile.read(path)
                gateways += RouteTable.ipv6Gateways(text)
                if sources.connectedSubnets { for route in RouteTable.ipv6OnLink(text) { protectSubnet(route.range, route.interface) } }
            } catch {
                next.warnings.append("cannot read \(path): \(error)")
            }
        }
        for gateway in gateways where gateway.isDefault {
            protect(gateway.address, "is the default gateway (via \(gateway.interface))")
        }
        for gateway in gateways where !gateway.isDefault {
            protect(gateway.address, "is a gateway of a route (via \(gateway.interface))")
        }
        if let path = sources.resolvConfPath {
            do {
                for resolver in ResolvConf.nameservers(try TextFile.read(path)) {
                    protect(resolver, "is a resolver in \(path)")
                }
            } catch {
                next.warnings.append("cannot read \(path): \(error)")
            }
        }
        for path in sources.upstreamResolverPaths {
            // Absent unless that resolver runs: nothing to say then.
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if let problem = ResolvConf.untrustedOwnership(info, path: path) {
                next.warnings.append("not reading it: \(problem)")
                continue
            }
            guard let text = try? TextFile.read(path) else { continue }
            for resolver in ResolvConf.nameservers(text) { protect(resolver, "is an upstream resolver in \(path)") }
        }
        next.ranges = SelfProtection.builtInRanges + connected
            + allowlist.map { Rule(range: $0, reason: "is in allowlist \($0)") }
        let warnings = next.warnings
        snapshot.withLock { $0 = next }
        return warnings
    }

    /// Why `address` must not be blocked, or nil when it may be.
    /// - Returns: a phrase that follows the address, e.g. "is an address of interface eth0",
    ///   "is the default gateway (via eth0)", "is a resolver in /etc/resolv.conf", "is in allowlist 10.0.0.0/8".
    public func reasonIfProtected(_ address: IPAddress) -> String? {
        snapshot.withLock { snapshot in
            if let reason = snapshot.hosts[address] { return reason }
            return snapshot.ranges.first { $0.range.contains(address) }?.reason
        }
    }

    /// Every protected address and range with its reason (for the start-up log and `slipsd status`).
    public var rules: [Rule] {
        snapshot.withLock { snapshot in
            let hosts = snapshot.hosts.sorted { $0.key < $1.key }.map {
                Rule(range: CIDR(network: $0.key, prefixLength: $0.key.isIPv4 ? 32 : 128)!, reason: $0.value)
            }
            return hosts + snapshot.ranges
        }
    }

    /// The warnings of the last refresh.
    public var warnings: [String] {
        snapshot.withLock { $0.warnings }
    }
}
