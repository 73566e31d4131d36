// slipsd-bench: helpers for `make bench` (Benchmarks/run.sh). Not a unit test.
//   slipsd-bench make-capture PATH PACKETS FLOWS [ACTIVE [random]]  write the synthetic benchmark capture
//                                                    (ACTIVE flows live at once, default 1024; in turn, or drawn at random)
//   slipsd-bench block-latency [N]                   alert-to-kernel block latency (root, own netns)
//   slipsd-bench make-sample PATH                    write the demo sample (samples/demo.pcap)
//   slipsd-bench make-flood-capture PATH SOURCES [PORTS]  forged-source SYN flood, then a real scan
//   slipsd-bench flow-files DIR LINES               Zeek TSV/JSON conn.log reading vs a bare line loop
//   slipsd-bench replay-realistic IN OUT PACKETS    the recorded realistic capture, shifted copies to PACKETS
//   slipsd-bench threat-intel DIR ENTRIES           feed load time, memory and lookups of the IoC index
//   slipsd-bench asn DIR NETWORKS PROBES           ASN database (libmaxminddb) lookups vs a Set lookup
//   slipsd-bench evidence-output DIR COUNT          evidence through AlertOutput vs a bare buffered write
//   slipsd-bench feed-blocklist [ENTRIES]           feed blocklist full and incremental loads (root, own netns)
//   slipsd-bench ja4 CAPTURE [SECONDS]              ClientHello -> JA3+JA4 rate vs SHA-256 of the same bytes
//   slipsd-bench make-unclaimed-capture PATH PACKETS FLOWS  TCP flows no analyzer claims (allocation counting)
import NetCore
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
    guard (5...7).contains(arguments.count), let packets = Int(arguments[3]), let flows = Int(arguments[4]),
          let active = arguments.count >= 6 ? Int(arguments[5]) : 1024, active > 0,
          arguments.count < 7 || arguments[6] == "random" else {
        print("usage: slipsd-bench make-capture PATH PACKETS FLOWS [ACTIVE [random]]"); exit(2)
    }
    do {
        let written = try SyntheticTraffic.writeBenchmarkCapture(path: arguments[2], packets: packets, flows: flows,
                                                                 activeFlows: active, randomOrder: arguments.count == 7)
        print("wrote \(arguments[2]): \(written)")
    } catch {
        print("\(error)"); exit(1)
    }
case "block-latency":
    let count = arguments.count >= 3 ? Int(arguments[2]) ?? 1000 : 1000
    do { try BlockLatency.run(count: count) } catch { print("\(error)"); exit(1) }
case "make-sample":
    guard arguments.count == 3 else { print("usage: slipsd-bench make-sample PATH"); exit(2) }
    let sample = DemoCapture.build()
    do { try sample.write(to: arguments[2]) } catch { print("\(error)"); exit(1) }
    print("wrote \(arguments[2]): \(sample.packets) packets")
case "make-flood-capture":
    FloodCapture.run(arguments)
case "flow-files":
    FlowFileThroughput.run(arguments)
case "replay-realistic":
    RealisticReplay.run(arguments)
case "threat-intel":
    ThreatIntelScale.run(arguments)
case "asn":
    ASNLookups.run(arguments)
case "evidence-output":
    EvidenceOutputThroughput.run(arguments)
case "feed-blocklist":
    FeedBlocklistLoad.run(arguments)
case "ja4":
    AnalyzerBench.ja4(arguments)
case "make-unclaimed-capture":
    AnalyzerBench.makeUnclaimedCapture(arguments)
default:
    print("unknown command \(arguments[1])")
    exit(2)
}
