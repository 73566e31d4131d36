import Blocker
import Foundation
import NetCore
import Testing
@testable import slipsd

/// `--list-blocked`'s writer: sorted while short, streamed once long, JSON valid either way.
@Suite("Blocked listing")
struct BlockedListingTests {
    /// A listing run into memory, with the chunks the sink received.
    private final class Collected: @unchecked Sendable {
        var chunks: [[UInt8]] = []
        var text: String { String(decoding: chunks.joined(), as: UTF8.self) }
    }

    private func element(_ text: String, reason: String? = "manual", alertID: String? = nil,
                         timeout: Duration? = .seconds(3600)) -> BlockedElement {
        BlockedElement(address: IPAddress(text)!, timeout: timeout, remaining: timeout.map { $0 - .seconds(5) },
                       reason: reason, alertID: alertID)
    }

    private func list(_ elements: [BlockedElement], json: Bool) -> Collected {
        let collected = Collected()
        var listing = BlockedListing(json: json) { collected.chunks.append($0) }
        for e in elements { listing.add(e) }
        listing.finish(table: "slipsd")
        return collected
    }

    @Test func shortListsAreSortedByAddress() throws {
        let out = list([element("10.0.0.9"), element("10.0.0.10"), element("10.0.0.1"), element("2001:db8::1")],
                       json: true)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(out.text.utf8)) as? [[String: Any]])
        #expect(rows.compactMap { $0["ip"] as? String } == ["10.0.0.1", "10.0.0.9", "10.0.0.10", "2001:db8::1"])
    }

    @Test func jsonRowsKeepTheirFieldsAndEscapeStrings() throws {
        let reason = "feed \"bad\\list\"\n\u{1}ünï"
        let out = list([element("192.0.2.1", reason: reason, alertID: "a-1"),
                        element("192.0.2.2", reason: nil, alertID: nil, timeout: nil)], json: true)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(out.text.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows[0]["reason"] as? String == reason)
        #expect(rows[0]["alert_id"] as? String == "a-1")
        #expect(rows[0]["timeout_seconds"] as? Int == 3600)
        #expect(rows[0]["remaining_seconds"] as? Int == 3595)
        #expect(Set(rows[1].keys) == ["ip"], "absent values are left out: \(rows[1])")
    }

    @Test func emptyListings() {
        #expect(list([], json: true).text == "[]\n")
        #expect(list([], json: false).text == "no blocked addresses in table inet slipsd\n")
    }

    @Test func longListsStreamInChunksAndListEveryElementOnce() throws {
        let total = BlockedListing.sortedLimit * 3
        let elements = (0..<total).map { n in element("10.\(n / 65_536).\(n / 256 % 256).\(n % 256)") }
        let out = list(elements.reversed(), json: true)
        #expect(out.chunks.count > 10, "written while read, not at the end: \(out.chunks.count) chunk(s)")
        #expect(out.chunks.allSatisfy { $0.count < BlockedListing.flushBytes + 512 })
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(out.text.utf8)) as? [[String: Any]])
        let ips = rows.compactMap { $0["ip"] as? String }
        #expect(ips.count == total && Set(ips).count == total)
        let table = list(elements, json: false).text.split(separator: "\n")
        #expect(table.first?.hasPrefix("IP ") == true)
        #expect(table.count == total + 1)
    }
}
