@testable import Capture
import NetCore
import Records
import Testing
import TestSupport

/// The DHCP analyzer: a DORA exchange over two UDP flows aggregated by transaction id into one record as
/// Zeek's dhcp.log; malformations; every truncation.
@Suite("DHCP analyzer")
struct DHCPAnalyzerTests {
    static let mac: [UInt8] = [0x02, 0x42, 0xAC, 0x11, 0x00, 0x07]

    /// A DHCP message: BOOTP header, cookie, the given options (code, value), end.
    static func message(op: UInt8, xid: UInt32, type: UInt8, yiaddr: [UInt8] = [0, 0, 0, 0],
                        options: [(UInt8, [UInt8])] = []) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 236)
        bytes[0] = op
        bytes[1] = 1
        bytes[2] = 6
        bytes[4] = UInt8(xid >> 24); bytes[5] = UInt8(xid >> 16 & 0xFF); bytes[6] = UInt8(xid >> 8 & 0xFF)
        bytes[7] = UInt8(xid & 0xFF)
        bytes.replaceSubrange(16..<20, with: yiaddr)
        bytes.replaceSubrange(28..<34, with: mac)
        bytes += [0x63, 0x82, 0x53, 0x63, 53, 1, type]
        for (code, value) in options { bytes += [code, UInt8(value.count)] + value }
        return bytes + [255]
    }

    static func dora(xid: UInt32 = 0xA1B2_C3D4, cut: Int = 0) -> [[UInt8]] {
        let server: [UInt8] = [10, 77, 0, 1], offered: [UInt8] = [10, 77, 0, 50]
        let clientOptions: [(UInt8, [UInt8])] = [(12, Array("laptop".utf8)), (61, [1] + mac)]
        func message(op: UInt8, xid: UInt32, type: UInt8, yiaddr: [UInt8] = [0, 0, 0, 0],
                     options: [(UInt8, [UInt8])] = []) -> [UInt8] {
            let whole = Self.message(op: op, xid: xid, type: type, yiaddr: yiaddr, options: options)
            return Array(whole.prefix(whole.count - cut))
        }
        return [
            PacketBuilder.udp(src: "0.0.0.0", sport: 68, dst: "255.255.255.255", dport: 67,
                              payload: message(op: 1, xid: xid, type: 1, options: clientOptions)),
            PacketBuilder.udp(src: "10.77.0.1", sport: 67, dst: "10.77.0.50", dport: 68,
                              payload: message(op: 2, xid: xid, type: 2, yiaddr: offered,
                                               options: [(54, server), (51, [0, 0, 0x0E, 0x10])])),
            PacketBuilder.udp(src: "0.0.0.0", sport: 68, dst: "255.255.255.255", dport: 67,
                              payload: message(op: 1, xid: xid, type: 3,
                                               options: clientOptions + [(50, offered), (54, server)])),
            PacketBuilder.udp(src: "10.77.0.1", sport: 67, dst: "10.77.0.50", dport: 68,
                              payload: message(op: 2, xid: xid, type: 5, yiaddr: offered,
                                               options: [(54, server), (51, [0, 0, 0x0E, 0x10]),
                                                         (15, Array("lan.example".utf8))])),
        ]
    }

    static func run(_ frames: [[UInt8]], gap: Int64 = 1_000) throws -> AppAnalyzerRun {
        let start = PacketTime(microseconds: 1_700_000_000_000_000)
        return try AppAnalyzerRun(frames.enumerated().map { index, bytes in
            TimedPacket(time: PacketTime(microseconds: start.microseconds + Int64(index) * gap), bytes: bytes,
                        wireLength: bytes.count, linkType: .ethernet)
        })
    }

    @Test("DISCOVER, OFFER, REQUEST, ACK over two flows: one record with Zeek's fields")
    func dora() throws {
        let run = try Self.run(Self.dora())
        #expect(run.dhcp.count == 1)
        let record = try #require(run.dhcp.first)
        #expect(record.messageTypes == ["DISCOVER", "OFFER", "REQUEST", "ACK"])
        #expect(record.mac.description == "02:42:ac:11:00:07")
        #expect(record.hostName == "laptop" && record.domain == "lan.example")
        #expect(record.requestedAddress == IPAddress("10.77.0.50") && record.assignedAddress == IPAddress("10.77.0.50"))
        // As Zeek: the client sent only from 0.0.0.0, so no client address; the server's reply never sets it (a
        // forged reply would name a host that sent nothing).
        #expect(record.clientAddress == nil && record.serverAddress == IPAddress("10.77.0.1"))
        #expect(record.leaseTime == 3_600_000_000)
        #expect(record.uids.count == 2)
        #expect(Set(run.conns.filter { $0.service == "dhcp" }.map(\.uid)) == Set(record.uids))
    }

    @Test("two transactions 40 s apart become two records (Zeek's idle and watch times)")
    func separateTransactions() throws {
        let frames = Self.dora(xid: 1) + Self.dora(xid: 2)
        let start = PacketTime(microseconds: 1_700_000_000_000_000)
        let packets = frames.enumerated().map { index, bytes in
            TimedPacket(time: PacketTime(microseconds: start.microseconds + Int64(index) * 1_000
                                         + (index >= 4 ? 40_000_000 : 0)),
                        bytes: bytes, wireLength: bytes.count, linkType: .ethernet)
        }
        let run = try AppAnalyzerRun(packets)
        #expect(run.dhcp.count == 2)
        #expect(run.dhcp.allSatisfy { $0.messageTypes.count == 4 })
    }

    @Test("malformed messages are counted; every truncation decodes without a trap")
    func malformed() throws {
        var badCookie = Self.message(op: 1, xid: 9, type: 1)
        badCookie[236] = 0
        var bytes = Self.message(op: 1, xid: 9, type: 1, options: [(50, [1, 2, 3])])
        #expect(bytes.withUnsafeBytes { raw in (try? DHCPParser.parse(raw)) == nil })
        #expect(badCookie.withUnsafeBytes { raw in (try? DHCPParser.parse(raw)) == nil })
        bytes = Self.message(op: 2, xid: 9, type: 5, yiaddr: [10, 0, 0, 9],
                             options: [(54, [10, 0, 0, 1]), (81, [0x05, 0, 0, 3, 0x61, 0x62, 0x63, 0])])
        let parsed = try bytes.withUnsafeBytes { raw in try DHCPParser.parse(raw) }
        #expect(parsed.clientFQDN == "abc")
        var malformed = MalformationCounters<DHCPMalformation>()
        for cut in 0...bytes.count {
            Array(bytes.prefix(cut)).withUnsafeBytes { raw in
                do throws(DHCPMalformation) { _ = try DHCPParser.parse(raw) } catch { malformed.count(error) }
            }
        }
        #expect(malformed[.truncated] == 240)
        #expect(malformed[.optionTruncated] > 0)
        let run = try Self.run(Self.dora(cut: 20))
        #expect(run.dhcp.isEmpty)
        #expect(run.statistics.dhcpMalformations.total >= 1)
    }
}
