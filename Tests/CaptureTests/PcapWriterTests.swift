import NetCore
import Records
import Capture
import CPcap
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Reads files from `PcapFileWriter` and the benchmark generator back through libpcap itself.
@Suite struct PcapWriterTests {
    struct Record {
        var seconds: Int
        var microseconds: Int
        var captured: Int
        var wire: Int
        var bytes: [UInt8]
    }

    /// Everything libpcap reads from `path`, the link type, and the error that ended the read (nil at clean EOF).
    static func readWithLibpcap(_ path: String, nanoseconds: Bool = false)
        -> (link: Int32, records: [Record], error: String?) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        let precision = UInt32(nanoseconds ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO)
        guard let handle = pcap_open_offline_with_tstamp_precision(path, precision, &errorBuffer) else {
            return (-1, [], String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { pcap_close(handle) }
        var records: [Record] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let result = pcap_next_ex(handle, &header, &data)
            if result == 1, let header, let data {
                let h = header.pointee
                records.append(Record(seconds: Int(h.ts.tv_sec), microseconds: Int(h.ts.tv_usec),
                                      captured: Int(h.caplen), wire: Int(h.len),
                                      bytes: Array(UnsafeBufferPointer(start: data, count: Int(h.caplen)))))
                continue
            }
            let error: String? = result == -2 ? nil : String(cString: pcap_geterr(handle))
            return (pcap_datalink(handle), records, error)
        }
    }

    static func temporaryPath(_ name: String) -> String { "/tmp/slipsd-decode-test-\(getpid())-\(name)" }

    static let sample: [TimedPacket] = SyntheticTraffic.merged([
        SyntheticTraffic.tcpConnection(),
        SyntheticTraffic.udpExchange(start: SyntheticTraffic.defaultStart + .microseconds(1_500)),
        SyntheticTraffic.icmpEcho(start: SyntheticTraffic.defaultStart + .microseconds(2_250)),
    ])

    @Test(arguments: PcapFileWriter.Format.allCases)
    func libpcapReadsWhatWeWrite(format: PcapFileWriter.Format) throws {
        let path = Self.temporaryPath("rw-\(format)")
        defer { unlink(path) }
        var writer = PcapFileWriter(linkType: .ethernet, format: format)
        writer.append(contentsOf: Self.sample)
        try writer.write(to: path)
        let read = Self.readWithLibpcap(path, nanoseconds: format == .nanoseconds)
        #expect(read.error == nil)
        #expect(read.link == 1)
        try #require(read.records.count == Self.sample.count)
        for (record, packet) in zip(read.records, Self.sample) {
            #expect(record.bytes == packet.bytes)
            #expect(record.wire == packet.wireLength)
            let fraction = Int(packet.time.microseconds % 1_000_000)
            #expect(record.seconds == Int(packet.time.microseconds / 1_000_000))
            #expect(record.microseconds == (format == .nanoseconds ? fraction * 1_000 : fraction))
        }
    }

    @Test func magicNumbersAndHeaders() {
        let micro = PcapFileWriter(linkType: .linuxSLL2).bytes
        #expect(Array(micro.prefix(4)) == [0xD4, 0xC3, 0xB2, 0xA1] && micro.count == 24)
        #expect(Array(micro[20..<24]) == [0x14, 0x01, 0, 0], "LINKTYPE_LINUX_SLL2 = 276")
        let nano = PcapFileWriter(linkType: .raw, format: .nanoseconds).bytes
        #expect(Array(nano.prefix(4)) == [0x4D, 0x3C, 0xB2, 0xA1])
        #expect(Array(nano[20..<24]) == [101, 0, 0, 0], "raw IP is written as LINKTYPE_RAW")
        let ng = PcapFileWriter(linkType: .ethernet, format: .pcapng).bytes
        #expect(Array(ng.prefix(4)) == [0x0A, 0x0D, 0x0D, 0x0A] && Array(ng[8..<12]) == [0x4D, 0x3C, 0x2B, 0x1A])
    }

    @Test(arguments: [LinkType.linuxSLL, .linuxSLL2, .raw, .ipv6])
    func otherLinkTypesRoundTrip(link: LinkType) throws {
        let path = Self.temporaryPath("link-\(link.rawValue)")
        defer { unlink(path) }
        let packets = link == .ipv6 ? SyntheticTraffic.ipv6TCPConnection(link: .ipv6)
                                    : SyntheticTraffic.tcpConnection(link: link)
        var writer = PcapFileWriter(linkType: link)
        writer.append(contentsOf: packets)
        try writer.write(to: path)
        let read = Self.readWithLibpcap(path)
        #expect(read.error == nil && read.records.count == packets.count)
        #expect(LinkType(rawValue: read.link) != nil, "libpcap reports DLT \(read.link)")
        for record in read.records {
            let decoded = try record.bytes.withUnsafeBytes { raw throws(DecodeError) in
                try PacketDecoder.decode(raw, wireLength: record.wire, time: .zero, dataLinkType: read.link)
            }
            #expect(decoded.hasTransport && decoded.ipProtocol == IPProtocolNumber.tcp)
        }
    }

    @Test func snapLengthCutsRecordsAndKeepsWireLength() throws {
        let path = Self.temporaryPath("snap")
        defer { unlink(path) }
        var writer = PcapFileWriter(linkType: .ethernet, snapLength: 64)
        writer.append(contentsOf: Self.sample)
        try writer.write(to: path)
        let read = Self.readWithLibpcap(path)
        #expect(read.error == nil)
        for (record, packet) in zip(read.records, Self.sample) {
            #expect(record.captured == min(64, packet.bytes.count) && record.wire == packet.bytes.count)
        }
        #expect(read.records.contains { $0.captured < $0.wire })
    }

    @Test(arguments: PcapFileWriter.Format.allCases)
    func truncatedLastRecordIsReportedByLibpcap(format: PcapFileWriter.Format) throws {
        let path = Self.temporaryPath("cut-\(format)")
        defer { unlink(path) }
        var writer = PcapFileWriter(linkType: .ethernet, format: format)
        writer.append(contentsOf: Self.sample)
        let full = writer.bytes.count
        writer.cutLastRecord(keeping: 20)
        #expect(writer.bytes.count < full)
        try writer.write(to: path)
        let read = Self.readWithLibpcap(path, nanoseconds: format == .nanoseconds)
        #expect(read.records.count == Self.sample.count - 1)
        #expect(read.error != nil, "libpcap must notice the cut record")
    }

    @Test func builtPacketsHaveValidChecksums() {
        let frames: [[UInt8]] = [
            PacketBuilder.tcp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, flags: .syn,
                              options: TCPOption.linuxSYN, payload: [1, 2, 3],
                              ip: IPFields(ipv4Options: IPFields.routerAlertOption)),
            PacketBuilder.udp(src: "10.0.0.1", sport: 1, dst: "10.0.0.2", dport: 2, payload: [1, 2, 3, 4, 5]),
            PacketBuilder.icmpEcho(src: "10.0.0.1", dst: "10.0.0.2"),
        ]
        for frame in frames {
            let ip = Array(frame[14...])
            let headerLength = Int(ip[0] & 0x0F) * 4
            #expect(InternetChecksum.verify(ip.prefix(headerLength)), "IPv4 header checksum")
            let transport = ip[headerLength...]
            let pseudo = ip[9] == 1 ? 0 : InternetChecksum.pseudoHeaderSum(
                source: IPAddress(ipv4: ip.readBE32(at: 12)), destination: IPAddress(ipv4: ip.readBE32(at: 16)),
                protocolNumber: ip[9], length: transport.count)
            #expect(InternetChecksum.verify(transport, pseudoHeaderSum: pseudo), "protocol \(ip[9])")
        }
        let v6 = PacketBuilder.tcp(src: "2001:db8::1", sport: 1, dst: "2001:db8::2", dport: 2, payload: [9])
        let pseudo6 = InternetChecksum.pseudoHeaderSum(source: PacketBuilder.address("2001:db8::1"),
                                                       destination: PacketBuilder.address("2001:db8::2"),
                                                       protocolNumber: 6, length: v6.count - 54)
        #expect(InternetChecksum.verify(v6[54...], pseudoHeaderSum: pseudo6))
        // A known vector: the IPv4 header from RFC 1071's neighbourhood (Wikipedia's worked example).
        let header: [UInt8] = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
                               0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7]
        #expect(InternetChecksum.checksum(header) == 0xB861)
    }

    @Test func benchmarkCaptureHasTheAdvertisedMix() throws {
        let path = Self.temporaryPath("bench")
        defer { unlink(path) }
        let summary = try SyntheticTraffic.writeBenchmarkCapture(path: path, packets: 20_000, flows: 2_000)
        #expect(summary.packets == 20_000 && summary.flows == 2_000)
        #expect(summary.tcpFlows == 1_600 && summary.udpFlows == 200 && summary.icmpFlows == 100)
        #expect(summary.unansweredSYNFlows == 100)
        let read = Self.readWithLibpcap(path)
        #expect(read.error == nil && read.link == 1)
        try #require(read.records.count == 20_000)
        var synOnly = 0, finAck = 0, udp = 0, icmp = 0
        var previous = 0
        var flowKeys = Set<String>()
        for record in read.records {
            let time = record.seconds * 1_000_000 + record.microseconds
            #expect(time > previous)
            previous = time
            let packet = try record.bytes.withUnsafeBytes { raw throws(DecodeError) in
                try PacketDecoder.decode(raw, wireLength: record.wire, time: .zero, linkType: .ethernet)
            }
            switch packet.ipProtocol {
            case IPProtocolNumber.tcp:
                if packet.tcpFlags == TCPFlag.syn { synOnly += 1 }
                if packet.tcpFlags == TCPFlag.fin | TCPFlag.ack { finAck += 1 }
            case IPProtocolNumber.udp: udp += 1
            case IPProtocolNumber.icmp: icmp += 1
            default: Issue.record("unexpected protocol \(packet.ipProtocol)")
            }
            let ends = [packet.srcIP.description + ":\(packet.srcPort)", packet.dstIP.description + ":\(packet.dstPort)"]
            flowKeys.insert("\(packet.ipProtocol) " + ends.sorted().joined(separator: " "))
            let ip = Array(record.bytes[14..<34])
            #expect(InternetChecksum.verify(ip))
        }
        #expect(synOnly == 1_600 + 100, "one SYN per TCP flow plus the unanswered ones")
        #expect(finAck == 2 * 1_600)
        #expect(udp == 400 && icmp == 200)
        // ICMP echo request and reply key differently (type 8 / type 0), so count them as two.
        #expect(flowKeys.count == 2_000 + 100)
    }

    @Test func benchmarkCaptureClampsFlows() throws {
        let path = Self.temporaryPath("bench-small")
        defer { unlink(path) }
        let summary = try SyntheticTraffic.writeBenchmarkCapture(path: path, packets: 50, flows: 1_000)
        #expect(summary.packets == 50 && summary.flows == 8)
        #expect(Self.readWithLibpcap(path).records.count == 50)
    }
}
