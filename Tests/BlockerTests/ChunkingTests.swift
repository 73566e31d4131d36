import NetCore
import Testing
@testable import Blocker

/// Needs a netlink socket (opened, never used) because the blocker opens one in `init`.
@Suite("Element messages are cut under the netlink limits")
struct ChunkingTests {
    func entries(v4: Int, v6: Int, reason: String = "") -> [BlockEntry] {
        (0..<v4).map { BlockEntry(address: IPAddress(ipv4: 0x0A00_0000 + UInt32($0)), timeout: .seconds(60),
                                  reason: reason, alertID: "") }
            + (0..<v6).map { BlockEntry(address: IPAddress(high: 0x2001_0db8 << 32, low: UInt64($0)),
                                        timeout: .seconds(60), reason: reason, alertID: "") }
    }

    @Test("counts per message: 2,000 IPv4 / 1,400 IPv6 without userdata")
    func countLimits() throws {
        let blocker = try NftablesBlocker()
        let list = entries(v4: 4_001, v6: 2_801)
        let messages = blocker.elementMessages(entries: list, chosen: Array(list.indices))
        #expect(messages.map(\.elements.count) == [2_000, 2_000, 1, 1_400, 1_400, 1])
        #expect(messages.allSatisfy { m in m.elements.reduce(0) { $0 + $1.encodedSize } < 65_535 })
    }

    @Test("large userdata cuts messages by bytes")
    func byteLimit() throws {
        let blocker = try NftablesBlocker()
        let list = entries(v4: 1_000, v6: 0, reason: String(repeating: "r", count: 300))
        let messages = blocker.elementMessages(entries: list, chosen: Array(list.indices))
        #expect(messages.count > 1)
        #expect(messages.reduce(0) { $0 + $1.elements.count } == 1_000)
        for message in messages {
            let bytes = message.elements.reduce(0) { $0 + $1.encodedSize }
            #expect(bytes <= NftablesBlocker.elementListBudget)
        }
    }
}
