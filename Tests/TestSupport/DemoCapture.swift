/// The bundled sample (`samples/demo.pcap`, rebuilt by `slipsd-bench make-sample`): ordinary traffic of a small
/// office plus the attacks slipsd's first detectors recognise. Addresses are from documentation ranges.
public enum DemoCapture {
    /// Builds the sample.
    public static func build() -> ScenarioWriter {
        var w = ScenarioWriter()
        let lan = "192.168.10."
        // Ordinary traffic: DNS and HTTPS of two workstations.
        for i in 0..<6 {
            w.udp(lan + "20", UInt16(40000 + i), lan + "1", 53, payload: Array("query\(i)".utf8))
            w.advance(milliseconds: 3)
            w.udp(lan + "1", 53, lan + "20", UInt16(40000 + i), payload: Array("answer\(i)".utf8))
            w.advance(milliseconds: 50)
            w.tcpSession(lan + "20", UInt16(50000 + i), "198.51.100.7", 443,
                         clientData: Array(repeating: 0x16, count: 300), serverData: Array(repeating: 0x17, count: 1200))
            w.tcpSession(lan + "21", UInt16(51000 + i), "198.51.100.8", 80,
                         clientData: Array("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n".utf8),
                         serverData: Array("HTTP/1.1 200 OK\r\n\r\nhello".utf8))
            w.advance(milliseconds: 400)
        }
        // A vertical port scan from outside: 203.0.113.66 tries 120 ports of the server; closed ports answer RST.
        for port in UInt16(20)..<140 {
            w.tcp("203.0.113.66", 61000, lan + "10", port, flags: 0x02, seq: 77)
            w.advance(milliseconds: 1)
            w.tcp(lan + "10", port, "203.0.113.66", 61000, flags: 0x14, seq: 0, ack: 78)
            w.advance(milliseconds: 4)
        }
        // A horizontal scan for telnet: 203.0.113.77 sends SYNs to 60 hosts, nobody answers.
        for host in 1...60 {
            w.tcp("203.0.113.77", UInt16(45000 + host), lan + "\(host)", 23, flags: 0x02, seq: 5)
            w.advance(milliseconds: 20)
        }
        // SSH password guessing on a non-standard port: 12 short SSH sessions with banners.
        for attempt in 0..<12 {
            let port = UInt16(52000 + attempt)
            var c: UInt32 = 100, s: UInt32 = 500
            w.tcp("198.51.100.99", port, lan + "10", 2222, flags: 0x02, seq: c); w.advance(milliseconds: 2)
            w.tcp(lan + "10", 2222, "198.51.100.99", port, flags: 0x12, seq: s, ack: c + 1); w.advance(milliseconds: 2)
            c += 1; s += 1
            w.tcp("198.51.100.99", port, lan + "10", 2222, flags: 0x10, seq: c, ack: s); w.advance(milliseconds: 2)
            let serverBanner = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8)
            w.tcp(lan + "10", 2222, "198.51.100.99", port, flags: 0x18, seq: s, ack: c, payload: serverBanner)
            s += UInt32(serverBanner.count); w.advance(milliseconds: 2)
            let clientBanner = Array("SSH-2.0-libssh_0.9.6\r\n".utf8)
            w.tcp("198.51.100.99", port, lan + "10", 2222, flags: 0x18, seq: c, ack: s, payload: clientBanner)
            c += UInt32(clientBanner.count); w.advance(milliseconds: 2)
            let kex = [UInt8](repeating: 0x14, count: 900)
            w.tcp("198.51.100.99", port, lan + "10", 2222, flags: 0x18, seq: c, ack: s, payload: kex)
            c += UInt32(kex.count); w.advance(milliseconds: 2)
            w.tcp(lan + "10", 2222, "198.51.100.99", port, flags: 0x18, seq: s, ack: c, payload: kex)
            s += UInt32(kex.count); w.advance(milliseconds: 300)
            w.tcp(lan + "10", 2222, "198.51.100.99", port, flags: 0x11, seq: s, ack: c); w.advance(milliseconds: 2)
            w.tcp("198.51.100.99", port, lan + "10", 2222, flags: 0x11, seq: c, ack: s + 1); w.advance(milliseconds: 2)
            w.tcp(lan + "10", 2222, "198.51.100.99", port, flags: 0x10, seq: s + 1, ack: c + 1); w.advance(milliseconds: 500)
        }
        // An ARP scan inside the LAN: 192.168.10.66 asks for 40 addresses within 4 seconds.
        for host in 100..<140 {
            w.arpRequest(senderMAC: 0x0266_0000_0042, senderIP: lan + "66", targetIP: lan + "\(host)")
            w.advance(milliseconds: 100)
        }
        return w
    }
}
