@testable import slipsd
import Testing

/// `analyzers.http_hash_max_mb` reaches the HTTP analyzer's hash limit; out-of-range values name the key.
@Suite("Analyzer hash limit in the config")
struct AnalyzerHashLimitConfigTests {
    @Test func defaultIsSixtyFourMebibytes() throws {
        let settings = try ConfigLoader.parse("", file: "t.yaml")
        #expect(settings.analyzers.configuration(hashConsumers: HTTPHashConsumers()).httpHashBytes == 64 << 20)
    }

    @Test("a value in MiB, 0 turns hashing off", arguments: [(0, UInt64(0)), (1, UInt64(1) << 20), (4096, UInt64(4096) << 20)])
    func valueIsApplied(megabytes: Int, bytes: UInt64) throws {
        let settings = try ConfigLoader.parse("analyzers:\n  http_hash_max_mb: \(megabytes)\n", file: "t.yaml")
        #expect(settings.analyzers.configuration(hashConsumers: HTTPHashConsumers()).httpHashBytes == bytes)
    }

    @Test("out of range is an error naming the key", arguments: ["-1", "4097", "lots"])
    func outOfRangeIsRefused(value: String) {
        do {
            _ = try ConfigLoader.parse("analyzers:\n  http_hash_max_mb: \(value)\n", file: "t.yaml")
            Issue.record("\(value) was accepted")
        } catch {
            #expect("\(error)".contains("http_hash_max_mb"), "\(error)")
        }
    }
}
