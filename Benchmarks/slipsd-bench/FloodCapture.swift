import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `slipsd-bench make-flood-capture PATH SOURCES [SCAN_PORTS]`: a flood of single SYNs from SOURCES distinct
/// forged sources, then a real vertical scan of SCAN_PORTS ports (default 2000) from
/// `SyntheticTraffic.floodScanner` (section 5 of Benchmarks/run.sh).
enum FloodCapture {
    static func run(_ arguments: [String]) {
        guard arguments.count == 4 || arguments.count == 5, let sources = Int(arguments[3]),
              let ports = arguments.count == 5 ? Int(arguments[4]) : 2000 else {
            print("usage: slipsd-bench make-flood-capture PATH SOURCES [SCAN_PORTS]"); exit(2)
        }
        do {
            let written = try SyntheticTraffic.writeFloodCapture(path: arguments[2], floodBefore: sources,
                                                                 scanPorts: ports)
            print("wrote \(arguments[2]): \(written)")
        } catch {
            print("\(error)"); exit(1)
        }
    }
}
