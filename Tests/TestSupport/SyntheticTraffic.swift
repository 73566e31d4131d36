import NetCore
import Records
import Capture

/// Scenario generators: timed packet lists for flows whose outcome is known (Zeek conn_state in each doc
/// comment), for flow-table, detector and end-to-end tests. Every generator takes a start time and an interval
/// in microseconds between packets, and frames for `link` with optional `vlan` tags where it makes sense.
/// Combine scenarios with `merged(_:)`; write them with `PcapFileWriter`.
public enum SyntheticTraffic {
    /// 2023-11-14T22:13:20Z: the default start of every scenario.
    public static let defaultStart = PacketTime(seconds: 1_700_000_000, microseconds: 0)

    /// How a generated TCP connection ends.
    public enum TCPEnding: Sendable, Hashable, CaseIterable {
        /// The client closes with FIN (conn_state SF).
        case finByClient
        /// The server closes with FIN (SF).
        case finByServer
        /// The client aborts with RST (RSTO).
        case rstByClient
        /// The server aborts with RST (RSTR).
        case rstByServer
        /// Left open (S1).
        case open
    }

    /// How scan targets answer a SYN.
    public enum ScanReply: Sendable, Hashable {
        /// No answer (S0).
        case none
        /// RST-ACK, a closed port (REJ).
        case rst
    }

    /// A full TCP connection: handshake, `request` from the client and `response` from the server (segmented,
    /// each segment acknowledged), then `ending`.
    public static func tcpConnection(client: String = "10.0.0.1", clientPort: UInt16 = 40_000,
                                     server: String = "10.0.0.2", serverPort: UInt16 = 80,
                                     request: [UInt8] = Array("GET / HTTP/1.1\r\nHost: example\r\n\r\n".utf8),
                                     response: [UInt8] = Array(repeating: 0x61, count: 2_000),
                                     ending: TCPEnding = .finByClient, start: PacketTime = defaultStart,
                                     interval: Int64 = 1_000, vlan: [UInt16] = [],
                                     link: LinkType = .ethernet) -> [TimedPacket] {
        var session = TCPSession(client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                                 start: start, interval: interval, link: link, vlan: vlan)
        session.handshake()
        session.transfer(.client, request)
        session.transfer(.server, response)
        switch ending {
        case .finByClient: session.finClose(by: .client)
        case .finByServer: session.finClose(by: .server)
        case .rstByClient: session.client(.rstAck)
        case .rstByServer: session.server(.rstAck)
        case .open: break
        }
        return session.packets
    }

    /// A SYN answered by RST-ACK: a closed port (REJ).
    public static func rejectedSYN(client: String = "10.0.0.1", clientPort: UInt16 = 40_001,
                                   server: String = "10.0.0.2", serverPort: UInt16 = 81,
                                   start: PacketTime = defaultStart, interval: Int64 = 1_000,
                                   vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        var session = TCPSession(client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                                 start: start, interval: interval, link: link, vlan: vlan)
        session.client(.syn, options: TCPOption.linuxSYN)
        session.server(.rstAck)
        return session.packets
    }

    /// A SYN never answered, retransmitted `attempts - 1` times with doubling gaps of 1 s, 2 s, … (S0).
    public static func unansweredSYN(client: String = "10.0.0.1", clientPort: UInt16 = 40_002,
                                     server: String = "10.0.0.2", serverPort: UInt16 = 82, attempts: Int = 1,
                                     start: PacketTime = defaultStart, vlan: [UInt16] = [],
                                     link: LinkType = .ethernet) -> [TimedPacket] {
        var packets: [TimedPacket] = []
        var time = start
        var gap: Int64 = 1_000_000
        for _ in 0..<max(attempts, 1) {
            let frame = PacketBuilder.tcp(src: client, sport: clientPort, dst: server, dport: serverPort,
                                          flags: .syn, seq: 1_000_000, options: TCPOption.linuxSYN, vlan: vlan,
                                          link: link)
            packets.append(TimedPacket(time: time, bytes: frame, linkType: link))
            time = time + .microseconds(gap)
            gap *= 2
        }
        return packets
    }

    /// SYN, then RST from the originator, no SYN-ACK seen (RSTOS0).
    public static func synThenReset(client: String = "10.0.0.1", clientPort: UInt16 = 40_003,
                                    server: String = "10.0.0.2", serverPort: UInt16 = 83,
                                    start: PacketTime = defaultStart, interval: Int64 = 1_000,
                                    vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        var session = TCPSession(client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                                 start: start, interval: interval, link: link, vlan: vlan)
        session.client(.syn)
        session.client(.rst)
        return session.packets
    }

    /// SYN, then FIN from the originator, no SYN-ACK seen: half-open (SH).
    public static func synThenFin(client: String = "10.0.0.1", clientPort: UInt16 = 40_004,
                                  server: String = "10.0.0.2", serverPort: UInt16 = 84,
                                  start: PacketTime = defaultStart, interval: Int64 = 1_000,
                                  vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        var session = TCPSession(client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                                 start: start, interval: interval, link: link, vlan: vlan)
        session.client(.syn)
        session.client(.fin)
        return session.packets
    }

    /// SYN-ACK from the responder then RST from it, no SYN seen (RSTRH). Packets go server → client.
    public static func synAckThenReset(client: String = "10.0.0.1", clientPort: UInt16 = 40_005,
                                       server: String = "10.0.0.2", serverPort: UInt16 = 85,
                                       start: PacketTime = defaultStart, interval: Int64 = 1_000,
                                       vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        var session = TCPSession(client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                                 start: start, interval: interval, link: link, vlan: vlan)
        session.server(.synAck)
        session.server(.rst)
        return session.packets
    }

    /// SYN-ACK from the responder then FIN from it, no SYN seen (SHR). Packets go server → client.
    public static func synAckThenFin(client: String = "10.0.0.1", clientPort: UInt16 = 40_006,
                                     server: String = "10.0.0.2", serverPort: UInt16 = 86,
                                     start: PacketTime = defaultStart, interval: Int64 = 1_000,
                                     vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        var session = TCPSession(client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                                 start: start, interval: interval, link: link, vlan: vlan)
        session.server(.synAck)
        session.server(.finAck)
        return session.packets
    }

    /// Data both ways with no handshake seen: a connection picked up midstream (OTH).
    public static func midstream(client: String = "10.0.0.1", clientPort: UInt16 = 40_007,
                                 server: String = "10.0.0.2", serverPort: UInt16 = 87,
                                 start: PacketTime = defaultStart, interval: Int64 = 1_000,
                                 vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        var session = TCPSession(client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                                 start: start, interval: interval, link: link, vlan: vlan)
        session.client(.pshAck, payload: Array(repeating: 0x62, count: 100))
        session.server(.ack)
        session.server(.pshAck, payload: Array(repeating: 0x63, count: 300))
        session.client(.ack)
        return session.packets
    }

    /// One SYN from `attacker` to `port` on each of `targets`, `interval` apart (a horizontal scan); targets
    /// answer per `reply`. Source ports count up from `firstSourcePort`.
    public static func horizontalScan(attacker: String = "10.0.0.66", targets: [String], port: UInt16 = 22,
                                      reply: ScanReply = .none, firstSourcePort: UInt16 = 50_000,
                                      start: PacketTime = defaultStart, interval: Int64 = 10_000,
                                      vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        var packets: [TimedPacket] = []
        var time = start
        for (index, target) in targets.enumerated() {
            var session = TCPSession(client: attacker, clientPort: firstSourcePort &+ UInt16(truncatingIfNeeded: index),
                                     server: target, serverPort: port, start: time, interval: interval / 4,
                                     link: link, vlan: vlan)
            session.client(.syn, options: [.mss(1460)])
            if reply == .rst { session.server(.rstAck) }
            packets.append(contentsOf: session.packets)
            time = time + .microseconds(interval)
        }
        return packets
    }

    /// One SYN from `attacker` to each of `ports` on `target` (a vertical scan). Ports in `openPorts` answer
    /// SYN-ACK and the attacker resets (nmap -sS, conn_state RSTO-like); the others answer per `reply`.
    public static func verticalScan(attacker: String = "10.0.0.66", target: String = "10.0.0.2",
                                    ports: [UInt16], reply: ScanReply = .none, openPorts: Set<UInt16> = [],
                                    sourcePort: UInt16 = 51_000, start: PacketTime = defaultStart,
                                    interval: Int64 = 10_000, vlan: [UInt16] = [],
                                    link: LinkType = .ethernet) -> [TimedPacket] {
        var packets: [TimedPacket] = []
        var time = start
        for port in ports {
            var session = TCPSession(client: attacker, clientPort: sourcePort, server: target, serverPort: port,
                                     start: time, interval: interval / 4, link: link, vlan: vlan)
            session.client(.syn, options: [.mss(1460)])
            if openPorts.contains(port) {
                session.server(.synAck, options: [.mss(1460)])
                session.client(.rst)
            } else if reply == .rst {
                session.server(.rstAck)
            }
            packets.append(contentsOf: session.packets)
            time = time + .microseconds(interval)
        }
        return packets
    }

    /// `exchanges` request/response pairs of UDP between the same ports (DNS-like by default).
    public static func udpExchange(client: String = "10.0.0.1", clientPort: UInt16 = 53_000,
                                   server: String = "10.0.0.53", serverPort: UInt16 = 53,
                                   request: [UInt8] = Array(repeating: 0x11, count: 40),
                                   response: [UInt8] = Array(repeating: 0x22, count: 120), exchanges: Int = 1,
                                   start: PacketTime = defaultStart, interval: Int64 = 1_000,
                                   vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        var packets: [TimedPacket] = []
        var time = start
        for _ in 0..<exchanges {
            packets.append(TimedPacket(time: time, bytes: PacketBuilder.udp(
                src: client, sport: clientPort, dst: server, dport: serverPort, payload: request, vlan: vlan,
                link: link), linkType: link))
            time = time + .microseconds(interval)
            if !response.isEmpty {
                packets.append(TimedPacket(time: time, bytes: PacketBuilder.udp(
                    src: server, sport: serverPort, dst: client, dport: clientPort, payload: response, vlan: vlan,
                    link: link), linkType: link))
                time = time + .microseconds(interval)
            }
        }
        return packets
    }

    /// `count` echo requests from `src` to `dst` (ICMP or ICMPv6 by family), each followed by a reply when
    /// `answered`.
    public static func icmpEcho(src: String = "10.0.0.1", dst: String = "10.0.0.2", count: Int = 3,
                                answered: Bool = true, identifier: UInt16 = 0x4242,
                                start: PacketTime = defaultStart, interval: Int64 = 1_000,
                                vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        let v6 = !PacketBuilder.address(src).isIPv4
        var packets: [TimedPacket] = []
        var time = start
        for sequence in 1...max(count, 1) {
            for reply in answered ? [false, true] : [false] {
                let from = reply ? dst : src, to = reply ? src : dst
                let seq = UInt16(truncatingIfNeeded: sequence)
                let frame = v6
                    ? PacketBuilder.icmpv6Echo(src: from, dst: to, identifier: identifier, sequence: seq,
                                               reply: reply, vlan: vlan, link: link)
                    : PacketBuilder.icmpEcho(src: from, dst: to, identifier: identifier, sequence: seq,
                                             reply: reply, vlan: vlan, link: link)
                packets.append(TimedPacket(time: time, bytes: frame, linkType: link))
                time = time + .microseconds(interval)
            }
        }
        return packets
    }

    /// A TCP connection over IPv6 (SF).
    public static func ipv6TCPConnection(client: String = "2001:db8::1", server: String = "2001:db8::2",
                                         serverPort: UInt16 = 443, start: PacketTime = defaultStart,
                                         link: LinkType = .ethernet) -> [TimedPacket] {
        tcpConnection(client: client, clientPort: 41_000, server: server, serverPort: serverPort, start: start,
                      link: link)
    }

    /// A UDP exchange over IPv6.
    public static func ipv6UDPExchange(client: String = "2001:db8::1", server: String = "2001:db8::53",
                                       start: PacketTime = defaultStart,
                                       link: LinkType = .ethernet) -> [TimedPacket] {
        udpExchange(client: client, clientPort: 54_000, server: server, serverPort: 53, start: start, link: link)
    }

    /// A TCP connection inside stacked VLAN tags (outer 100, inner 200 by default).
    public static func vlanTCPConnection(vlan: [UInt16] = [100, 200],
                                         start: PacketTime = defaultStart) -> [TimedPacket] {
        tcpConnection(client: "10.1.0.1", clientPort: 42_000, server: "10.1.0.2", serverPort: 8080, start: start,
                      vlan: vlan)
    }

    /// A UDP datagram with `payloadSize` bytes from `client` to `server`, sent as IP fragments of at most
    /// `fragmentSize` bytes (IPv4 or IPv6 by family). Only the first fragment carries the UDP header.
    public static func fragmentedUDP(client: String = "10.0.0.1", clientPort: UInt16 = 55_000,
                                     server: String = "10.0.0.2", serverPort: UInt16 = 5_000,
                                     payloadSize: Int = 3_000, fragmentSize: Int = 1_480,
                                     identification: UInt16 = 0x5151, start: PacketTime = defaultStart,
                                     interval: Int64 = 100, vlan: [UInt16] = [],
                                     link: LinkType = .ethernet) -> [TimedPacket] {
        let payload = (0..<payloadSize).map { UInt8(truncatingIfNeeded: $0) }
        let frames = PacketBuilder.udpFragments(src: client, sport: clientPort, dst: server, dport: serverPort,
                                                payload: payload, fragmentSize: fragmentSize,
                                                ip: IPFields(identification: identification), vlan: vlan,
                                                link: link)
        return timed(frames, start: start, interval: interval, link: link)
    }

    /// IPv4 fragments of one UDP datagram.
    public static func ipv4Fragments(start: PacketTime = defaultStart) -> [TimedPacket] {
        fragmentedUDP(start: start)
    }

    /// IPv6 fragments of one UDP datagram (fragment extension header).
    public static func ipv6Fragments(start: PacketTime = defaultStart) -> [TimedPacket] {
        fragmentedUDP(client: "2001:db8::1", server: "2001:db8::2", fragmentSize: 1_232, start: start)
    }

    /// ARP requests from `requester` for each of `targets`, `interval` apart (an ARP scan); targets listed in
    /// `answering` reply.
    public static func arpScan(requester: String = "10.0.0.66", requesterMAC: MACAddress? = nil,
                               targets: [String], answering: Set<String> = [], start: PacketTime = defaultStart,
                               interval: Int64 = 100_000, vlan: [UInt16] = [],
                               link: LinkType = .ethernet) -> [TimedPacket] {
        var packets: [TimedPacket] = []
        var time = start
        let mac = requesterMAC ?? PacketBuilder.defaultMAC(for: PacketBuilder.address(requester))
        for target in targets {
            packets.append(TimedPacket(time: time, bytes: PacketBuilder.arpRequest(
                senderIP: requester, senderMAC: mac, targetIP: target, vlan: vlan, link: link), linkType: link))
            if answering.contains(target) {
                packets.append(TimedPacket(time: time + .microseconds(interval / 10), bytes: PacketBuilder.arpReply(
                    senderIP: target, targetIP: requester, targetMAC: mac, vlan: vlan, link: link),
                    linkType: link))
            }
            time = time + .microseconds(interval)
        }
        return packets
    }

    /// The SSH banner a Debian 12 OpenSSH server sends.
    public static let sshServerBanner = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".utf8)
    /// The SSH banner an OpenSSH client sends.
    public static let sshClientBanner = Array("SSH-2.0-OpenSSH_9.6\r\n".utf8)

    /// An SSH session on a non-standard port: handshake, the server's `SSH-2.0-…` banner, the client's banner,
    /// binary key-exchange-like data both ways, FIN close (SF).
    public static func sshExchange(client: String = "10.0.0.1", clientPort: UInt16 = 43_000,
                                   server: String = "10.0.0.2", serverPort: UInt16 = 2_222,
                                   start: PacketTime = defaultStart, interval: Int64 = 1_000,
                                   vlan: [UInt16] = [], link: LinkType = .ethernet) -> [TimedPacket] {
        var session = TCPSession(client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                                 start: start, interval: interval, link: link, vlan: vlan)
        session.handshake()
        session.transfer(.server, sshServerBanner)
        session.transfer(.client, sshClientBanner)
        // SSH binary packets: packet length, padding length, SSH_MSG_KEXINIT (20), cookie, …
        let kexinit: [UInt8] = [0, 0, 1, 0x2C, 0x0A, 20] + (0..<294).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        session.transfer(.client, kexinit)
        session.transfer(.server, kexinit)
        session.finClose(by: .client)
        return session.packets
    }

    /// `count` consecutive addresses starting at `first` (IPv4 or IPv6), e.g. targets of a scan.
    public static func hosts(from first: String, count: Int) -> [String] {
        let base = PacketBuilder.address(first)
        return (0..<count).map { offset in
            IPAddress(high: base.high, low: base.low &+ UInt64(offset)).description
        }
    }

    /// Puts frames on a timeline starting at `start`, `interval` microseconds apart.
    public static func timed(_ frames: [[UInt8]], start: PacketTime = defaultStart, interval: Int64 = 1_000,
                             link: LinkType = .ethernet) -> [TimedPacket] {
        frames.enumerated().map { index, frame in
            TimedPacket(time: start + .microseconds(interval * Int64(index)), bytes: frame, linkType: link)
        }
    }

    /// Several scenarios merged into one timeline, ordered by time (stable for equal times).
    public static func merged(_ scenarios: [[TimedPacket]]) -> [TimedPacket] {
        scenarios.joined().enumerated().sorted { a, b in
            a.element.time == b.element.time ? a.offset < b.offset : a.element.time < b.element.time
        }.map(\.element)
    }
}
