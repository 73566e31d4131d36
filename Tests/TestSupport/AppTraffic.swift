import NetCore

/// Synthetic application traffic for the analyzers' tests: an HTTP download, an SSH session, an SMTP session with
/// a refused login, a DHCP DORA exchange and a DNS query with its answer, as timed Ethernet frames.
public enum AppTraffic {
    /// A DHCP message: BOOTP header (Ethernet hardware, `mac`), the magic cookie, option 53 `type`, `options`
    /// as (code, value), option 255.
    public static func dhcpMessage(op: UInt8, xid: UInt32, type: UInt8, mac: [UInt8], yiaddr: [UInt8] = [0, 0, 0, 0],
                                   options: [(UInt8, [UInt8])] = []) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 236)
        bytes[0] = op
        bytes[1] = 1
        bytes[2] = 6
        for shift in 0..<4 { bytes[4 + shift] = UInt8(truncatingIfNeeded: xid >> (24 - 8 * UInt32(shift))) }
        bytes.replaceSubrange(16..<20, with: yiaddr)
        bytes.replaceSubrange(28..<34, with: mac)
        bytes += [0x63, 0x82, 0x53, 0x63, 53, 1, type]
        for (code, value) in options { bytes += [code, UInt8(value.count)] + value }
        return bytes + [255]
    }

    /// One capture with every analyzer's traffic, starting at `start`.
    public static func mixed(start: PacketTime = SyntheticTraffic.defaultStart) -> [TimedPacket] {
        var packets: [TimedPacket] = []
        var time = start
        func session(_ port: UInt16, _ serverPort: UInt16, _ messages: [(TCPSession.Side, String)],
                     binary: [UInt8] = []) {
            var tcp = TCPSession(client: "10.50.0.2", clientPort: port, server: "10.50.0.9", serverPort: serverPort,
                                 start: time)
            tcp.handshake()
            for (side, text) in messages { tcp.transfer(side, Array(text.utf8)) }
            if !binary.isEmpty { tcp.transfer(.server, binary) }
            tcp.finClose(by: .client)
            packets += tcp.packets
            time = PacketTime(microseconds: tcp.time.microseconds + 1_000_000)
        }
        let body: [UInt8] = [0x4D, 0x5A] + Array(repeating: 0x90, count: 600)
        session(41_000, 80, [(.client, "GET /setup.exe HTTP/1.1\r\nHost: dl.example\r\nUser-Agent: Wget/1.21\r\n\r\n"),
                             (.server, "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n")], binary: body)
        session(41_001, 22, [(.server, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), (.client, "SSH-2.0-libssh_0.10.4\r\n")])
        session(41_002, 25, [(.server, "220 mx.example ESMTP\r\n"), (.client, "EHLO bot\r\n"),
                             (.server, "250-mx.example\r\n250 AUTH PLAIN\r\n"), (.client, "AUTH PLAIN AGEAYg==\r\n"),
                             (.server, "535 5.7.8 Error: authentication failed: bad smtp-auth user\r\n")])
        let mac: [UInt8] = [0x02, 0, 0, 0, 0, 0x21], offered: [UInt8] = [10, 50, 0, 77], server: [UInt8] = [10, 50, 0, 1]
        let lease: [UInt8] = [0, 0, 0x0E, 0x10]
        let dhcp: [(String, UInt16, String, UInt16, [UInt8])] = [
            ("0.0.0.0", 68, "255.255.255.255", 67,
             dhcpMessage(op: 1, xid: 0x51, type: 1, mac: mac, options: [(12, Array("pc".utf8))])),
            ("10.50.0.1", 67, "10.50.0.77", 68,
             dhcpMessage(op: 2, xid: 0x51, type: 2, mac: mac, yiaddr: offered, options: [(54, server), (51, lease)])),
            ("0.0.0.0", 68, "255.255.255.255", 67,
             dhcpMessage(op: 1, xid: 0x51, type: 3, mac: mac, options: [(50, offered), (54, server)])),
            ("10.50.0.1", 67, "10.50.0.77", 68,
             dhcpMessage(op: 2, xid: 0x51, type: 5, mac: mac, yiaddr: offered, options: [(54, server), (51, lease)])),
        ]
        for (src, sport, dst, dport, payload) in dhcp {
            let frame = PacketBuilder.udp(src: src, sport: sport, dst: dst, dport: dport, payload: payload)
            packets.append(TimedPacket(time: time, bytes: frame, wireLength: frame.count, linkType: .ethernet))
            time = PacketTime(microseconds: time.microseconds + 2_000)
        }
        return packets
    }
}
