import NetCore
import Records
import Blocker
#if canImport(Glibc)
import Glibc
#endif

/// Alert-to-kernel block latency: blocks `count` addresses one at a time through the same call the daemon uses
/// on an alert (one netlink transaction each) and reports median and worst time until the kernel acknowledged the
/// element; then the same number in one batch. Runs in the caller's network namespace on a scratch table.
enum BlockLatency {
    static func run(count: Int) throws {
        let blocker = try NftablesBlocker(configuration: .init(tableName: "slipsd_bench"), protection: nil)
        _ = try blocker.setUp()
        defer { _ = try? blocker.tearDown() }
        var samples: [Double] = []
        for i in 0..<count {
            let address = IPAddress(ipv4: 0xC633_6400 &+ UInt32(i))            // 198.51.100.0 upwards
            var start = timespec(), end = timespec()
            clock_gettime(CLOCK_MONOTONIC, &start)
            let outcome = try blocker.block([BlockEntry(address: address, timeout: .seconds(60), reason: "bench", alertID: "bench")])
            clock_gettime(CLOCK_MONOTONIC, &end)
            precondition(outcome.first?.isBlocked == true, "block failed: \(String(describing: outcome.first))")
            samples.append(Double(end.tv_sec - start.tv_sec) * 1e6 + Double(end.tv_nsec - start.tv_nsec) / 1e3)
        }
        samples.sort()
        let median = samples[samples.count / 2], p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
        print("block latency over \(count) single blocks: median \(Int(median)) µs, p99 \(Int(p99)) µs, worst \(Int(samples.last!)) µs")
        let batch = (0..<count).map { BlockEntry(address: IPAddress(ipv4: 0x0A40_0000 &+ UInt32($0)), timeout: .seconds(60), reason: "bench", alertID: "bench") }
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let outcomes = try blocker.block(batch)
        clock_gettime(CLOCK_MONOTONIC, &end)
        let micros = Double(end.tv_sec - start.tv_sec) * 1e6 + Double(end.tv_nsec - start.tv_nsec) / 1e3
        print("one batch of \(count): \(Int(micros)) µs (\(Double(Int(micros * 100 / Double(count))) / 100) µs per element), \(outcomes.filter(\.isBlocked).count) blocked")
    }
}
