import Foundation

/// Times in-process loops of the micro-benchmarks (monotonic clock).
enum Stopwatch {
    /// Seconds `body` took.
    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
