import NetCore
import Records
import Detect
#if canImport(Glibc)
import Glibc
#endif

/// `slipsd-bench evidence-output DIR COUNT`: writes COUNT evidence (each with a fresh id, as detectors make them)
/// and an alert per 1000 (of the last 20 evidence) through `AlertOutput` into `DIR/alerts/`, then writes the same
/// number of bytes and lines with a bare `BufferedFileWriter` loop (one prepared line appended repeatedly) into
/// `DIR/bare.log`, in the same process on the same thread. Prints evidence/s for both and their ratio.
enum EvidenceOutputThroughput {
    static func run(_ arguments: [String]) {
        guard arguments.count == 4, let count = Int(arguments[3]), count > 0 else {
            print("usage: slipsd-bench evidence-output DIR COUNT"); exit(2)
        }
        let dir = arguments[2]
        let templates = makeTemplates()
        do {
            let output = try AlertOutput(directory: dir)
            var recent: [Evidence] = []
            recent.reserveCapacity(20)
            let start = MonotonicClock.nanoseconds()
            let cpuStart = threadCPUNanoseconds()
            for i in 0..<count {
                var evidence = templates[i % templates.count]
                evidence.id = EvidenceID.make()
                evidence.timestamp = PacketTime(microseconds: evidence.timestamp.microseconds + Int64(i) * 1000)
                output.write(evidence: evidence, accumulatedThreat: Double(i % 19) * 0.8)
                if recent.count == 20 { recent.removeFirst() }
                recent.append(evidence)
                if i % 1000 == 999 {
                    output.write(alert: Alert(profile: evidence.profile, timeWindow: evidence.timeWindow,
                                              evidence: recent, accumulatedThreat: 15.2,
                                              timestamp: evidence.timestamp))
                }
            }
            try output.close()
            let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
            let cpu = Double(threadCPUNanoseconds() - cpuStart) / 1e9
            let bytes = fileSize(dir + "/alerts/alerts.log") + fileSize(dir + "/alerts/alerts.json")
            let lines = 2 * (count + count / 1000)
            let (bare, bareCPU) = try bareWrite(path: dir + "/bare.log", bytes: bytes, lines: lines)
            let rate = Double(count) / seconds, cpuRate = Double(count) / cpu
            let bareRate = Double(count) / bare, bareCPURate = Double(count) / bareCPU
            print("AlertOutput: \(count) evidence + \(count / 1000) alerts, \(bytes / 1_000_000) MB "
                  + "(\(Int(Double(bytes) / Double(lines))) B per line): \(rounded(seconds)) s wall, \(rounded(cpu)) s CPU: "
                  + "\(Int(rate)) evidence/s wall, \(Int(cpuRate)) evidence per CPU-second")
            print("bare buffered write of the same \(lines) lines: \(rounded(bare)) s wall, \(rounded(bareCPU)) s CPU: "
                  + "\(Int(bareRate)) evidence/s wall, \(Int(bareCPURate)) per CPU-second")
            print("ratio AlertOutput/bare write: \(rounded(rate / bareRate)) wall, \(rounded(cpuRate / bareCPURate)) CPU "
                  + "(goal: >= 200000 evidence per CPU-second, one core)")
        } catch {
            print("\(error)"); exit(1)
        }
    }

    /// CPU time of the calling thread (user + system).
    private static func threadCPUNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Wall and CPU seconds to write `lines` lines totalling `bytes` bytes through a `BufferedFileWriter`.
    private static func bareWrite(path: String, bytes: Int, lines: Int) throws(SystemError) -> (Double, Double) {
        let file = try BufferedFileWriter(path: path)
        let length = max(1, bytes / lines)
        let line = [UInt8](repeating: 0x61, count: length - 1) + [0x0A]
        let start = MonotonicClock.nanoseconds(), cpuStart = threadCPUNanoseconds()
        for _ in 0..<lines { file.write(line) }
        try file.close()
        return (Double(MonotonicClock.nanoseconds() - start) / 1e9, Double(threadCPUNanoseconds() - cpuStart) / 1e9)
    }

    /// Evidence shaped as the detectors raise it: scans, local connections, unknown ports, with real descriptions.
    private static func makeTemplates() -> [Evidence] {
        let window = TimeWindow(number: 1, start: PacketTime(microseconds: 1_700_000_000_000_000),
                                end: PacketTime(microseconds: 1_700_003_600_000_000))
        var list: [Evidence] = []
        for host in 0..<64 {
            let source = "192.168.\(host / 8).\(host % 8 + 2)"
            let target = "10.\(host).0.\(host + 7)"
            let profile = ProfileID(ip: IPAddress(source)!)
            let (type, level, text): (EvidenceType, ThreatLevel, String) = switch host % 4 {
            case 0: (.CONNECTION_TO_LOCAL_DEVICE, .high,
                     "A connection to a local device \(target) port 445/tcp from \(source).")
            case 1: (.UNKNOWN_PORT, .high, "Connection to unknown destination port 902/TCP destination IP \(target).")
            case 2: (.HORIZONTAL_PORT_SCAN, .high,
                     "Horizontal port scan to port http 80/tcp. From \(source) to \(host + 10) unique destination IPs. Total packets sent: \(host * 3 + 10).")
            default: (.VERTICAL_PORT_SCAN, .high,
                      "Vertical port scan to IP \(target) from \(source). Total \(host + 20) distinct TCP ports were scanned.")
            }
            list.append(Evidence(type: type, description: text, attacker: Attacker(direction: .SRC, value: source),
                                 victim: Victim(direction: .DST, value: target), threatLevel: level,
                                 confidence: 0.3 + Double(host % 7) / 10, profile: profile, timeWindow: window,
                                 uids: [FlowUID(UInt64(host) * 7919 + 1)],
                                 timestamp: PacketTime(microseconds: 1_700_000_000_000_000 + Int64(host) * 1_000_000),
                                 srcPort: UInt16(40_000 + host), dstPort: 445, proto: .tcp))
        }
        return list
    }

    private static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private static func rounded(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
