import NetCore
import Records
import Testing
import Foundation
import TestSupport
import Capture

/// The fragment-evasion attack end to end (`slipsd -r`): a SYN scan whose SYNs are split into an 8-byte first
/// fragment and the rest gives the same evidence as the same scan unfragmented. Before the reassembler it gave
/// none (the first fragments were undecodable, the rest ignored).
@Suite("Forgery: fragmented scan through slipsd -r", .serialized)
struct ForgeryFragmentScanTests {
    /// A SYN scan of 300 ports as timed frames, each SYN whole or in two fragments.
    func scan(fragmented: Bool) -> [TimedPacket] {
        let src = "198.51.100.66", dst = "10.0.0.80"
        var packets: [TimedPacket] = []
        for port in UInt16(1)...300 {
            let time = PacketTime(microseconds: 1_700_000_000_000_000 + Int64(port) * 2_000)
            let segment = PacketBuilder.tcpSegment(src: PacketBuilder.address(src), dst: PacketBuilder.address(dst),
                                                   sport: 40_000, dport: port, flags: .syn,
                                                   seq: 7_000 + UInt32(port), ack: 0)
            if fragmented {
                let frames = PacketBuilder.fragments(
                    src: src, dst: dst, protocolNumber: 6, transport: segment,
                    pieces: [.init(offset: 0, length: 8), .init(offset: 8, length: segment.count - 8)],
                    ip: IPFields(identification: port))
                packets += frames.map { TimedPacket(time: time, bytes: $0) }
            } else {
                packets.append(TimedPacket(time: time, bytes: PacketBuilder.tcp(
                    src: src, sport: 40_000, dst: dst, dport: port, flags: .syn, seq: 7_000 + UInt32(port))))
            }
        }
        return packets
    }

    /// Runs `slipsd -r` on the packets; returns (type, description) of every evidence in alerts.json, sorted.
    func evidence(_ packets: [TimedPacket]) throws -> [String] {
        let dir = NSTemporaryDirectory() + "slipsd-forgery-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var writer = PcapFileWriter()
        writer.append(contentsOf: packets)
        try writer.write(to: dir + "/scan.pcap")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-r", dir + "/scan.pcap", "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = (try? String(contentsOfFile: dir + "/out/alerts/alerts.json", encoding: .utf8)) ?? ""
        var found: [String] = []
        for line in text.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["Status"] as? String == "Event",
                  let noteText = object["Note"] as? String,
                  let note = try JSONSerialization.jsonObject(with: Data(noteText.utf8)) as? [String: Any]
            else { continue }
            found.append("\(note["evidence_type"] ?? "?") \(object["Description"] ?? "?")")
        }
        return found.sorted()
    }

    @Test("40 SYN-ACKs reflected off a victim (its RSTs) give no evidence against the victim")
    func reflectedSynAcksNoEvidence() throws {
        var packets: [TimedPacket] = []
        for i in 0..<40 {
            let time = PacketTime(microseconds: 1_700_000_000_000_000 + Int64(i) * 20_000)
            let port = UInt16(20_000 + i * 3)
            packets.append(TimedPacket(time: time, bytes: PacketBuilder.tcp(
                src: "203.0.113.66", sport: port, dst: "10.0.0.9", dport: UInt16(30_000 + i), flags: [.syn, .ack],
                seq: 5_000, ack: 77_777)))
            packets.append(TimedPacket(time: PacketTime(microseconds: time.microseconds + 100), bytes: PacketBuilder.tcp(
                src: "10.0.0.9", sport: UInt16(30_000 + i), dst: "203.0.113.66", dport: port, flags: [.rst],
                seq: 77_777)))
        }
        let found = try evidence(packets)
        #expect(!found.contains { $0.contains("from 10.0.0.9") }, "\(found)")
        #expect(!found.contains { $0.hasPrefix("UNKNOWN_PORT") }, "\(found)")
    }

    @Test("a SYN scan in 8-byte first fragments gives the same evidence as the whole scan")
    func fragmentedScanSameEvidence() throws {
        let whole = try evidence(scan(fragmented: false))
        let split = try evidence(scan(fragmented: true))
        #expect(whole.contains { $0.hasPrefix("VERTICAL_PORT_SCAN") }, "\(whole)")
        #expect(whole == split)
        print("fragmented scan: \(whole.count) evidence whole, \(split.count) fragmented; first: \(whole.first ?? "-")")
    }
}
