import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// The addresses configured on the host's interfaces (`getifaddrs`), in the network namespace of the calling
/// thread.
enum InterfaceAddresses {
    /// Every IPv4 and IPv6 address with its interface name.
    /// - Throws: `BlockerError` when `getifaddrs` fails.
    static func current() throws -> [(address: IPAddress, interface: String)] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { throw BlockerError.system("listing interface addresses (getifaddrs)") }
        defer { freeifaddrs(list) }
        var result: [(IPAddress, String)] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let socketAddress = entry.pointee.ifa_addr else { continue }
            let name = String(cString: entry.pointee.ifa_name)
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                let value = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in.self).sin_addr.s_addr
                result.append((IPAddress(ipv4: UInt32(bigEndian: value)), name))
            case AF_INET6:
                var v6 = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in6.self).sin6_addr
                let bytes = withUnsafeBytes(of: &v6) { Array($0) }
                if let address = IPAddress(networkBytes: bytes) { result.append((address, name)) }
            default:
                continue
            }
        }
        return result
    }
}
