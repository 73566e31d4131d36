import NetCore
import Testing
import ArgumentParser
@testable import slipsd

@Suite("Command line")
struct CommandLineTests {
    @Test func offlineMode() throws {
        let command = try Slipsd.parse(["-r", "x.pcap", "-o", "out", "--flows", "f.json"])
        #expect(command.mode == .offline("x.pcap"))
    }

    @Test func inlineWithQueueRange() throws {
        let command = try Slipsd.parse(["--inline", "--queue", "0:1", "--no-steer"])
        #expect(command.mode == .inline)
        #expect(try QueueRange.parse("0:1") == QueueRange(first: 0, last: 1))
        #expect(command.queue == QueueRange(first: 0, last: 1), "parsed once, by the argument parser")
        #expect(command.queue?.queues == 0...1)
        #expect(command.steer == false)
    }

    @Test func typedArguments() throws {
        let block = try Slipsd.parse(["--block", "192.0.2.7", "--for", "10m"])
        #expect(block.mode == .block(IPAddress("192.0.2.7")!))
        #expect(block.blockFor?.seconds == 600)
        let unblock = try Slipsd.parse(["--unblock", "2001:db8::1"])
        #expect(unblock.mode == .unblock(IPAddress("2001:db8::1")!))
        let inline = try Slipsd.parse(["--inline"])
        #expect(inline.queue == nil)
    }

    @Test func statusCommand() throws {
        #expect(try Slipsd.parse(["--status"]).showStatus)
        #expect(try Slipsd.parse(["--status", "--json", "-c", "x.yaml"]).json)
        #expect(throws: (any Error).self) { try Slipsd.parse(["--status", "--inline"]) }
    }

    @Test("rejected combinations", arguments: [
        [String](), ["-r", "a", "-i", "eth0"], ["--queue", "0", "-r", "a"], ["--inline", "--queue", "x"],
        ["--inline", "--queue", "3:1"], ["--unblock", "not-an-ip"], ["--block", "10.0.0.0/8"],
        ["-r", "a", "--filter", "tcp"], ["--block", "1.2.3.4", "--for", "soon"], ["--list-blocked", "--force"],
        ["-r", "a", "--no-block"], ["--bogus-option"], ["--inline", "--queue", "0:64"], ["--inline", "--queue", "1:"],
        ["--block", "1.2.3.4", "--for", "366d"], ["-r", "a", "--json"], ["--unblock", "1.2.3.4", "--for", "1h"],
    ])
    func rejected(arguments: [String]) {
        #expect(throws: (any Error).self) { try Slipsd.parse(arguments) }
    }

    @Test func durations() throws {
        #expect(try DurationText.seconds("90") == 90)
        #expect(try DurationText.seconds("10m") == 600)
        #expect(try DurationText.seconds("2h") == 7200)
        #expect(try DurationText.seconds("1d") == 86400)
        #expect(throws: (any Error).self) { try DurationText.seconds("0") }
        #expect(throws: (any Error).self) { try DurationText.seconds("-5m") }
    }
}
