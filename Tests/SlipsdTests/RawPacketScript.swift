import Foundation

/// Forged packets for the attack tests, sent by `python3` with raw sockets inside a lab namespace (no scapy or
/// nping on a fresh Debian): a small Python library (checksums, IPv4/IPv6/TCP headers, senders) followed by the
/// test's own lines. Each script sends a bounded number of packets and exits.
enum RawPacketScript {
    /// Whether the scripts can run here.
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") }

    /// The library every script starts with.
    static let library = """
    import socket, struct
    def checksum(data):
        if len(data) % 2: data += b'\\0'
        s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
        s = (s >> 16) + (s & 0xffff); s += s >> 16
        return ~s & 0xffff
    def tcp(sport, dport, seq, ack, flags, pseudo):
        header = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
        return header[:16] + struct.pack('!H', checksum(pseudo(len(header)) + header)) + header[18:]
    def tcp4(src, dst, sport, dport, seq, ack=0, flags=0x02):
        pseudo = lambda n: socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, 6, n)
        return tcp(sport, dport, seq, ack, flags, pseudo)
    def tcp6(src, dst, sport, dport, seq, ack=0, flags=0x02):
        pseudo = lambda n: (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
                            + struct.pack('!IxxxB', n, 6))
        return tcp(sport, dport, seq, ack, flags, pseudo)
    def ipv4(src, dst, payload, ident, offset8=0, more=False):
        flags = (0x2000 if more else 0) | offset8
        return struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, flags, 64, 6, 0,
                           socket.inet_aton(src), socket.inet_aton(dst)) + payload
    def ipv6(src, dst, payload):
        return (struct.pack('!IHBB', 6 << 28, len(payload), 6, 64) + socket.inet_pton(socket.AF_INET6, src)
                + socket.inet_pton(socket.AF_INET6, dst) + payload)
    def raw4():
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        return s
    def ethernet(interface, destination_mac, ethertype):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((interface, 0))
        own = open('/sys/class/net/%s/address' % interface).read().strip()
        header = bytes.fromhex(destination_mac.replace(':', '')) + bytes.fromhex(own.replace(':', '')) + struct.pack('!H', ethertype)
        return lambda frame: s.send(header + frame)

    """

    /// Writes `library` + `body` to `path` and returns the command that runs it.
    static func write(_ body: String, to path: String) throws -> String {
        try (library + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return "python3 \(path)"
    }
}
