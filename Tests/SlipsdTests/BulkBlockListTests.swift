import NetCore
import Testing
@testable import slipsd

/// The file format of `--block-from` / `--unblock-from`.
@Suite("Bulk block list")
struct BulkBlockListTests {
    private func parse(_ text: String) -> BulkBlockList { BulkBlockList(Array(text.utf8)) }

    @Test func addressesDurationsReasonsAndComments() {
        let list = parse("""
        value,duration,reason
        192.0.2.1
        192.0.2.2 600
        192.0.2.3,10m,brute force on ssh
        2001:db8::7 2d   known scanner  \r
        # a comment
        192.0.2.4  credential stuffing   # from the SOC

        """)
        #expect(list.problems.isEmpty, "\(list.problems)")
        #expect(list.items == [
            .init(address: IPAddress("192.0.2.1")!, seconds: nil, reason: nil),
            .init(address: IPAddress("192.0.2.2")!, seconds: 600, reason: nil),
            .init(address: IPAddress("192.0.2.3")!, seconds: 600, reason: "brute force on ssh"),
            .init(address: IPAddress("2001:db8::7")!, seconds: 172_800, reason: "known scanner"),
            .init(address: IPAddress("192.0.2.4")!, seconds: nil, reason: "credential stuffing"),
        ])
    }

    @Test func rangesExpandUpToTheBoundAndLargerOnesAreRefused() {
        let list = parse("198.51.100.4/30 1h\n10.0.0.0/8\n2001:db8::/126\n")
        #expect(list.items.map(\.address.description)
                == ["198.51.100.4", "198.51.100.5", "198.51.100.6", "198.51.100.7",
                    "2001:db8::", "2001:db8::1", "2001:db8::2", "2001:db8::3"])
        #expect(list.items.prefix(4).allSatisfy { $0.seconds == 3600 })
        #expect(list.problems.count == 1 && list.problems[0].line == 2, "\(list.problems)")
        #expect(list.problems.first?.why.contains("more than 65536 addresses") == true)
        // Host bits set: the network it names (as the allowlist reads CIDRs).
        #expect(parse("192.0.2.0/16\n").items.first?.address.description == "192.0.0.0")
        #expect(parse("192.0.0.0/16\n").items.count == 65_536)
    }

    @Test func badLinesAreReportedByNumberAndTheRestIsKept() {
        let list = parse("192.0.2.1\nnot-an-ip\n192.0.2.300\n192.0.2.2 0\n192.0.2.3 99999999999d\n\u{FF}\u{FE}\n192.0.2.9\n")
        #expect(list.items.map(\.address.description).contains("192.0.2.1"))
        #expect(list.items.map(\.address.description).contains("192.0.2.9"))
        #expect(list.problems.map(\.line) == [2, 3, 6], "\(list.problems)")
        // "0" and an absurd duration are not durations: those lines block with the reason text instead of failing.
        #expect(list.items.first { $0.address.description == "192.0.2.2" }?.reason == "0")
        #expect(list.items.count == 4, "\(list.items)")
    }

    @Test func durations() {
        #expect(BulkBlockList.seconds("90") == 90)
        #expect(BulkBlockList.seconds("90s") == 90)
        #expect(BulkBlockList.seconds("10m") == 600)
        #expect(BulkBlockList.seconds("4h") == 14_400)
        #expect(BulkBlockList.seconds("1d") == 86_400)
        #expect(BulkBlockList.seconds("0") == nil)
        #expect(BulkBlockList.seconds("-5") == nil)
        #expect(BulkBlockList.seconds("h") == nil)
        #expect(BulkBlockList.seconds("5000d") == nil)
    }

    @Test func commandLine() throws {
        let block = try Slipsd.parse(["--block-from", "list.txt", "--for", "2h"])
        #expect(block.mode == .blockFrom("list.txt") && block.blockFor?.seconds == 7200)
        #expect(try Slipsd.parse(["--unblock-from", "-"]).mode == .unblockFrom("-"))
        #expect(throws: (any Error).self) { try Slipsd.parse(["--unblock-from", "a", "--for", "1h"]) }
        #expect(throws: (any Error).self) { try Slipsd.parse(["--block-from", "a", "--block", "192.0.2.1"]) }
    }
}
