import Capture
import CPcap
import Crypto
import NetCore
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Section 12 of `make bench` (issue 10 §4), the parts that run inside slipsd-bench:
/// - `slipsd-bench ja4 CAPTURE [SECONDS [ja4-only]]`: the ClientHellos of a capture (each one whole in one TCP segment) go
///   through the TLS analyzer's parser and fingerprinter (`TLSClientHelloFingerprints`, JA3 + JA4, then JA4 alone) in a loop for
///   about SECONDS of the thread's CPU time, and the same bytes through a plain SHA-256 (swift-crypto) as the baseline of the same run;
///   prints both rates and their ratio. `ja4-only` runs the JA4 loop alone, `ja3-ja4-only` the JA3+JA4 loop alone (for
///   `perf record`).
/// - `slipsd-bench make-unclaimed-capture PATH PACKETS FLOWS`: FLOWS interleaved TCP connections on port 9000
///   whose bytes no analyzer claims (no TLS, HTTP, SSH, SMTP or DNS shape), handshake, then data segments and
///   their ACKs, about PACKETS packets in all: the steady state of flows nobody claims, for counting allocations
///   per packet (two sizes, same flows: the difference is per packet).
enum AnalyzerBench {
    static func ja4(_ arguments: [String]) {
        guard arguments.count >= 3 else { print("usage: slipsd-bench ja4 CAPTURE [SECONDS [ja4-only|ja3-ja4-only]]"); exit(2) }
        let seconds = arguments.count >= 4 ? Double(arguments[3]) ?? 2 : 2
        let hellos = clientHellos(arguments[2])
        guard !hellos.isEmpty else { print("no whole ClientHello in \(arguments[2])"); exit(1) }
        var fingerprints = TLSClientHelloFingerprints()
        var names = Set<String>()
        for hello in hellos {
            guard let value = hello.withUnsafeBytes({ fingerprints.fingerprints($0) }) else {
                print("a recorded ClientHello did not parse"); exit(1)
            }
            names.insert(value.ja4)
        }
        print("ClientHellos: \(hellos.count) recorded (\(names.count) distinct JA4: \(names.sorted().prefix(3).joined(separator: ", "))), mean \(hellos.reduce(0) { $0 + $1.count } / hellos.count) bytes")
        var sink = 0
        if arguments.count >= 5 && arguments[4] == "ja4-only" {                 // for profiling one loop
            let ja4Rate = rate(seconds: seconds, hellos) { body in
                if let value = fingerprints.ja4(body) { sink &+= value.utf8.count }
            }
            print(String(format: "ClientHello -> JA4 alone: %.0f /s (sink %d)", ja4Rate, sink & 1))
            return
        }
        if arguments.count >= 5 && arguments[4] == "ja3-ja4-only" {
            let fingerprintRate = rate(seconds: seconds, hellos) { body in
                if let value = fingerprints.fingerprints(body) { sink &+= value.ja3.utf8.count &+ value.ja4.utf8.count }
            }
            print(String(format: "ClientHello -> JA3+JA4 alone: %.0f /s (sink %d)", fingerprintRate, sink & 1))
            return
        }
        let fingerprintRate = rate(seconds: seconds, hellos) { body in
            if let value = fingerprints.fingerprints(body) { sink &+= value.ja3.utf8.count &+ value.ja4.utf8.count }
        }
        let ja4Rate = rate(seconds: seconds, hellos) { body in
            if let value = fingerprints.ja4(body) { sink &+= value.utf8.count }
        }
        let hashRate = rate(seconds: seconds, hellos) { body in
            let digest = SHA256.hash(data: body)
            sink &+= digest.withUnsafeBytes { Int($0[0]) }
        }
        print(String(format: "ClientHello -> JA3+JA4 (parse, MD5, SHA-256 x2): %.0f /s (goal >= 1000000)", fingerprintRate))
        print(String(format: "ClientHello -> JA4 alone (parse, SHA-256 x2):     %.0f /s (goal >= 1000000)", ja4Rate))
        print(String(format: "baseline SHA-256 of the same bytes:             %.0f /s", hashRate))
        print(String(format: "ratio JA3+JA4/baseline:                         %.2f", fingerprintRate / hashRate))
        print(String(format: "ratio JA4/baseline:                             %.2f   (sink %d)", ja4Rate / hashRate, sink & 1))
    }

    /// Runs `body` over the hellos, round robin, for about `seconds` of this thread's CPU time; hellos per CPU
    /// second (the thread's own time, so other processes on the shared cores do not lower the rate).
    private static func rate(seconds: Double, _ hellos: [[UInt8]], _ body: (UnsafeRawBufferPointer) -> Void) -> Double {
        var done = 0
        let start = threadCPUSeconds()
        var elapsed = 0.0
        repeat {
            for _ in 0..<1_000 {
                hellos[done % hellos.count].withUnsafeBytes { body($0) }
                done += 1
            }
            elapsed = threadCPUSeconds() - start
        } while elapsed < seconds
        return Double(done) / elapsed
    }

    /// `CLOCK_THREAD_CPUTIME_ID` in seconds.
    private static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Handshake bodies of ClientHellos that are whole in one TCP segment (Ethernet, IPv4 or IPv6, no VLAN).
    static func clientHellos(_ path: String) -> [[UInt8]] {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline(path, &errorBuffer) else { return [] }
        defer { pcap_close(handle) }
        var found: [[UInt8]] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while pcap_next_ex(handle, &header, &data) == 1, found.count < 1_000, let header, let data {
            let frame = Array(UnsafeBufferPointer(start: data, count: Int(header.pointee.caplen)))
            if let body = clientHello(frame) { found.append(body) }
        }
        return found
    }

    private static func clientHello(_ frame: [UInt8]) -> [UInt8]? {
        guard frame.count > 14 else { return nil }
        var offset = 14
        let type = UInt16(frame[12]) << 8 | UInt16(frame[13])
        if type == 0x0800, frame.count >= 34, frame[23] == 6 {
            offset += Int(frame[14] & 0x0F) * 4
        } else if type == 0x86DD, frame.count >= 54, frame[20] == 6 {
            offset += 40
        } else {
            return nil
        }
        guard frame.count >= offset + 20 else { return nil }
        offset += Int(frame[offset + 12] >> 4) * 4
        // TLS record: handshake (22), 3.x, length; handshake ClientHello (1), 24-bit length.
        guard frame.count >= offset + 9, frame[offset] == 22, frame[offset + 1] == 3, frame[offset + 5] == 1 else { return nil }
        let length = Int(frame[offset + 6]) << 16 | Int(frame[offset + 7]) << 8 | Int(frame[offset + 8])
        guard frame.count >= offset + 9 + length else { return nil }
        return Array(frame[(offset + 9)..<(offset + 9 + length)])
    }

    static func makeUnclaimedCapture(_ arguments: [String]) {
        guard arguments.count == 5, let packets = Int(arguments[3]), let flows = Int(arguments[4]), flows > 0 else {
            print("usage: slipsd-bench make-unclaimed-capture PATH PACKETS FLOWS"); exit(2)
        }
        let segments = max(1, (packets / flows - 10) / 2)          // handshake + close ≈ 7 packets, data + ACK = 2
        let start = PacketTime(microseconds: 1_700_000_000_000_000)
        var all: [TimedPacket] = []
        all.reserveCapacity(flows * (2 * segments + 7))
        let payload = [UInt8](repeating: 0xAB, count: 200)          // no analyzer's shape
        for flow in 0..<flows {
            var session = TCPSession(client: "10.90.\(flow / 250).\(flow % 250 + 1)", clientPort: UInt16(40_000 + flow % 20_000),
                                     server: "10.91.0.1", serverPort: 9_000,
                                     start: PacketTime(microseconds: start.microseconds + Int64(flow)),
                                     interval: Int64(flows), link: .ethernet, vlan: [])
            session.handshake()
            session.transfer(.client, [UInt8](repeating: 0xAB, count: segments * payload.count), segmentSize: payload.count)
            session.finClose(by: .client)
            all.append(contentsOf: session.packets)
        }
        all.sort { $0.time < $1.time }
        var writer = PcapFileWriter(linkType: .ethernet, snapLength: 65_535)
        for packet in all { writer.append(packet.bytes, time: packet.time, wireLength: packet.wireLength) }
        do { try writer.write(to: arguments[2]) } catch { print("\(error)"); exit(1) }
        print("wrote \(arguments[2]): \(all.count) packets, \(flows) flows on port 9000 no analyzer claims")
    }
}
