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
        try withPrefixes().map { ($0.address, $0.interface) }
    }

    /// Every IPv4 and IPv6 address with its interface name and the prefix length of its netmask (the on-link
    /// subnet: 24 for 10.0.0.1/24; nil when the kernel gave no netmask).
    /// - Throws: `BlockerError` when `getifaddrs` fails.
    static func withPrefixes() throws -> [(address: IPAddress, interface: String, prefixLength: Int?)] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { throw BlockerError.system("listing interface addresses (getifaddrs)") }
        defer { freeifaddrs(list) }
        var result: [(IPAddress, String, Int?)] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let socketAddress = entry.pointee.ifa_addr else { continue }
            let name = String(cString: entry.pointee.ifa_name)
            let prefix = entry.pointee.ifa_netmask.flatMap(prefixLength)
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                let value = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in.self).sin_addr.s_addr
                result.append((IPAddress(ipv4: UInt32(bigEndian: value)), name, prefix))
            case AF_INET6:
                var v6 = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in6.self).sin6_addr
                let bytes = withUnsafeBytes(of: &v6) { Array($0) }
                if let address = IPAddress(networkBytes: bytes) { result.append((address, name, prefix)) }
            default:
                continue
            }
        }
        return result
    }

    /// The number of leading one bits of a netmask socket address (IPv4 or IPv6); nil for another family.
    private static func prefixLength(_ mask: UnsafeMutablePointer<sockaddr>) -> Int? {
        switch Int32(mask.pointee.sa_family) {
        case AF_INET:
            let word = UInt32(bigEndian: UnsafeRawPointer(mask).loadUnaligned(as: sockaddr_in.self).sin_addr.s_addr)
            return (~word).leadingZeroBitCount      // the leading one bits
        case AF_INET6:
            var v6 = UnsafeRawPointer(mask).loadUnaligned(as: sockaddr_in6.self).sin6_addr
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            var bits = 0
            for byte in bytes {
                bits += (~byte).leadingZeroBitCount
                if byte != 0xFF { break }
            }
            return bits
        default:
            return nil
        }
    }
}
