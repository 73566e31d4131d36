import NetCore
import Records
import Capture
import Testing

@Suite struct NFQueueConfigurationTests {
    @Test(arguments: [("0", 0...0), ("7", 7...7), ("0:1", 0...1), ("3:3", 3...3), ("65535", 65535...65535)]
          as [(String, ClosedRange<UInt16>)])
    func parsesQueueSpecifications(text: String, expected: ClosedRange<UInt16>) throws {
        #expect(try NFQueueConfiguration.parseQueues(text) == expected)
    }

    @Test(arguments: ["", "x", "1:", ":1", "1:2:3", "65536", "-1", "2:1"])
    func rejectsBadQueueSpecifications(text: String) {
        #expect(throws: CaptureError.self) { try NFQueueConfiguration.parseQueues(text) }
    }

    @Test func defaultsAreValid() throws {
        let configuration = NFQueueConfiguration(queue: 0)
        try configuration.validate()
        #expect(configuration.failOpen && configuration.gso)
        #expect(configuration.copyRange == 0xffff)
    }

    @Test func validationNamesTheSetting() {
        var c = NFQueueConfiguration(queue: 0)
        c.verdictBatchSize = 0
        #expect { try c.validate() } throws: { ($0 as? CaptureError)?.object.contains("verdictBatchSize") == true }
        c = NFQueueConfiguration(queue: 0)
        c.watchdogStallBound = .milliseconds(150)  // < 2 × the 100 ms poll timeout
        #expect { try c.validate() } throws: { ($0 as? CaptureError)?.object.contains("watchdogStallBound") == true }
        c = NFQueueConfiguration(queue: 0)
        c.copyRange = 0x10000
        #expect { try c.validate() } throws: { ($0 as? CaptureError)?.object.contains("copyRange") == true }
    }

    @Test func errorPrintsOneLine() {
        let e = CaptureError.system("binding", object: "NFQUEUE queue 3", errno: 1)
        #expect(e.description == "binding NFQUEUE queue 3: Operation not permitted (EPERM)")
        #expect(!e.description.contains("\n"))
    }
}
