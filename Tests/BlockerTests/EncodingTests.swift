import NetCore
import Testing
@testable import Blocker

@Suite("Blocker encodings (no kernel)")
struct EncodingTests {
    @Test("userdata round trip: nft comment = reason, own record = alert id")
    func userdataRoundTrip() {
        let bytes = ElementUserData.encode(reason: "PORT_SCAN to 22", alertID: "abc-123", limit: 200)
        #expect(bytes.first == 0)                                   // nft comment record first
        #expect(bytes[1] == UInt8("PORT_SCAN to 22".utf8.count + 1))
        let (reason, alertID) = ElementUserData.decode(bytes)
        #expect(reason == "PORT_SCAN to 22")
        #expect(alertID == "abc-123")
    }

    @Test("userdata stays within the limit and cuts at character boundaries", arguments: [8, 40, 200, 255])
    func userdataLimit(limit: Int) {
        let bytes = ElementUserData.encode(reason: String(repeating: "ü", count: 500),
                                           alertID: String(repeating: "x", count: 100), limit: limit)
        #expect(bytes.count <= limit)
        let (reason, alertID) = ElementUserData.decode(bytes)
        #expect(reason?.allSatisfy { $0 == "ü" } ?? true)
        #expect((alertID?.count ?? 0) <= ElementUserData.alertIDLimit)
    }

    @Test("userdata decoding survives garbage and hand-written comments")
    func userdataGarbage() {
        #expect(ElementUserData.decode([]) == (nil, nil))
        #expect(ElementUserData.decode([0, 200, 65]) == (nil, nil))                  // length past the end
        #expect(ElementUserData.decode([0, 3, 104, 105, 0]).reason == "hi")          // nft's own comment
        #expect(ElementUserData.decode([1, 4, 0, 0, 0, 1, 0, 3, 104, 105, 0]).reason == "hi") // unknown record skipped
    }

    @Test("timeouts in whole milliseconds, at least 1")
    func milliseconds() {
        #expect(NftablesBlocker.milliseconds(.seconds(2)) == 2_000)
        #expect(NftablesBlocker.milliseconds(.milliseconds(1_500)) == 1_500)
        #expect(NftablesBlocker.milliseconds(.microseconds(10)) == 1)
        #expect(NftablesBlocker.milliseconds(.seconds(86_400 * 30)) == 2_592_000_000)
    }

    @Test("drop rules load the right header field", arguments: [
        (IPAddress.Family.ipv4, true, UInt32(12), UInt32(4)), (.ipv4, false, 16, 4),
        (.ipv6, true, 8, 16), (.ipv6, false, 24, 16),
    ])
    func dropRuleOffsets(family: IPAddress.Family, source: Bool, offset: UInt32, length: UInt32) {
        let layout = BlockerLayout(table: "t", ipv4Set: "b4", ipv6Set: "b6")
        let expressions = layout.dropRule(family: family, source: source)
        #expect(expressions.count == 6)
        #expect(expressions.contains(.payloadLoad(base: 1, offset: offset, length: length, register: 1)))
        #expect(expressions.contains(.lookup(register: 1, setName: family == .ipv4 ? "b4" : "b6",
                                             setID: family == .ipv4 ? 1 : 2)))
        #expect(expressions.contains(.compare(register: 1, op: 0, data: [family == .ipv4 ? 2 : 10])))
        #expect(expressions.last == .verdict(0))                      // NF_DROP
    }

    @Test("xt_NFQ_info_v3 bytes: queue, total, bypass flag, padded to 8")
    func nfqueueInfo() {
        let single = QueueSteering.nfqueueInfo(.init(queues: 3...3))
        #expect(single == [3, 0, 1, 0, 1, 0, 0, 0])
        let range = QueueSteering.nfqueueInfo(.init(queues: 2...5, cpuFanout: true))
        #expect(range == [2, 0, 4, 0, 3, 0, 0, 0])
    }
}
