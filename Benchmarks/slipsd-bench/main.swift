// slipsd-bench: helpers for `make bench` (Benchmarks/run.sh). Not a unit test.
//   slipsd-bench make-capture PATH PACKETS FLOWS   write the synthetic benchmark capture
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: slipsd-bench make-capture PATH PACKETS FLOWS")
    exit(2)
}
switch arguments[1] {
case "make-capture":
    guard arguments.count == 5, let packets = Int(arguments[3]), let flows = Int(arguments[4]) else {
        print("usage: slipsd-bench make-capture PATH PACKETS FLOWS"); exit(2)
    }
    var writer = BenchmarkCaptureWriter(path: arguments[2])
    let written = writer.write(packets: packets, flows: flows)
    print("wrote \(arguments[2]): \(written.packets) packets, \(written.flows) flows")
default:
    print("unknown command \(arguments[1])")
    exit(2)
}
