import NetCore
import Records
import Testing
@testable import Detect

/// `DHCPScanDetector`: Slips' DHCP_SCAN at every multiple of 4 distinct requested addresses per profile and
/// window, with its words and weight and the exchanges' uids.
@Suite("DHCP scan")
struct DHCPScanTests {
    private typealias Kit = DetectorsTestKit

    private static func request(_ index: Int, at seconds: Double = 1, client: String = "192.168.1.30",
                                address: String? = nil) -> ChannelMessage {
        var record = DHCPRecord(time: Kit.at(seconds))
        record.uids = [FlowUID(UInt64(100 + index))]
        record.clientAddress = Kit.ip(client)
        record.serverAddress = Kit.ip("192.168.1.1")
        record.requestedAddress = address.map(Kit.ip) ?? Kit.ip("192.168.1.100", plus: index)
        record.messageTypes = ["REQUEST", "ACK"]
        return Kit.record(record)
    }

    @Test func evidenceAtFourAndEightDistinctAddressesNotAtThree() throws {
        let (detector, collected) = try Kit.make(DHCPScanDetector.self)
        for index in 0..<3 { try detector.main(Self.request(index)) }
        try detector.main(Self.request(9, address: "192.168.1.100"))     // the same address again
        #expect(collected.of(.DHCP_SCAN).isEmpty)
        try detector.main(Self.request(3))
        var found = collected.of(.DHCP_SCAN)
        try #require(found.count == 1)
        #expect(found[0].description
                == "Performing a DHCP scan by requesting 4 different IP addresses. Confidence: 0.8. by Slips")
        #expect(found[0].threatLevel == .medium && found[0].confidence == 0.8)
        #expect(found[0].attacker.value == "192.168.1.30")
        #expect(Set(found[0].uids) == Set((0...3).map { FlowUID(UInt64(100 + $0)) }))
        for index in 4..<7 { try detector.main(Self.request(index)) }
        #expect(collected.of(.DHCP_SCAN).count == 1)
        try detector.main(Self.request(7))
        found = collected.of(.DHCP_SCAN)
        #expect(found.count == 2 && found[1].description.contains("requesting 8 different"))
    }

    @Test func recordsWithoutARequestedAddressAndOtherWindowsDoNotAddUp() throws {
        let (detector, collected) = try Kit.make(DHCPScanDetector.self)
        var discover = DHCPRecord(time: Kit.at(1))
        discover.clientAddress = Kit.ip("192.168.1.30")
        for _ in 0..<10 { try detector.main(Kit.record(discover)) }
        for index in 0..<2 { try detector.main(Self.request(index, at: 10)) }
        for index in 2..<4 { try detector.main(Self.request(index, at: 3_700)) }
        #expect(collected.of(.DHCP_SCAN).isEmpty)
    }

    @Test func minimumIsConfigurable() throws {
        var own = DHCPScanDetector.Settings()
        own.minimumRequestedAddresses = 2
        let (detector, collected) = try Kit.make(DHCPScanDetector.self, own: own)
        try detector.main(Self.request(0))
        #expect(collected.of(.DHCP_SCAN).isEmpty)
        try detector.main(Self.request(1))
        #expect(collected.of(.DHCP_SCAN).count == 1)
    }
}
