import Foundation
import NetCore
import Records
import Capture

/// `slipsd-bench flow-files DIR LINES`: writes a Zeek TSV and a Zeek JSON conn.log of LINES synthetic flows each
/// (many hosts, every common state), then, in this process, times three readers over each file (page cache warm,
/// best of 3): a bare line-read loop (`read` in 1 MiB blocks + `memchr`), slipsd's flow-file reader turning every
/// line into a `ConnRecord` (no detection), and, for JSON, `JSONSerialization` per line on the first 200 k lines
/// (the approach the JSON reader was chosen against). Prints lines/s and the ratios.
enum FlowFileThroughput {
    static func run(_ arguments: [String]) {
        guard arguments.count == 4, let lines = Int(arguments[3]), lines > 0 else {
            print("usage: slipsd-bench flow-files DIR LINES"); exit(2)
        }
        let dir = arguments[2]
        let tsv = dir + "/bench-conn.log", json = dir + "/bench-conn.json.log"
        do {
            try write(lines: lines, tsv: tsv, json: json)
        } catch {
            print("\(error)"); exit(1)
        }
        for (name, path) in [("TSV", tsv), ("JSON", json)] {
            _ = bareLoop(path)                                  // page cache warm
            let bare = best { bareLoop(path) }
            let parsed = best { parse(path) }
            print("\(name) \(lines) lines: bare line loop \(Int(bare)) lines/s, slipsd reader \(Int(parsed)) lines/s, ratio \(String(format: "%.3f", parsed / bare))")
            if name == "JSON" {
                let foundation = serialization(path, limit: 200_000)
                print("JSON JSONSerialization per line: \(Int(foundation)) lines/s (slipsd reader \(String(format: "%.1f", parsed / foundation))x faster)")
            }
        }
    }

    private static func best(_ body: () -> Double) -> Double { (0..<3).map { _ in body() }.max() ?? 0 }

    /// Lines per second of a plain read + memchr loop.
    private static func bareLoop(_ path: String) -> Double {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        let start = MonotonicClock.now()
        var count = 0
        while true {
            let n = read(fd, buffer, 1 << 20)
            if n <= 0 { break }
            var p = buffer
            var left = n
            while left > 0, let found = memchr(p, 0x0A, left) {
                count += 1
                let advance = p.distance(to: found) + 1
                p = found + 1
                left -= advance
            }
        }
        return Double(count) / (MonotonicClock.now() - start)
    }

    /// Lines per second of slipsd's reader (records made, not handed on).
    private static func parse(_ path: String) -> Double {
        let start = MonotonicClock.now()
        guard let source = try? FlowFileSource(path: path, forcedType: nil, warn: { print($0) }),
              let summary = try? source.run(handoff: nil, shouldStop: { false }) else { return 0 }
        let elapsed = MonotonicClock.now() - start
        if summary.problems.problemCount > 0 { print("unexpected problems: \(summary.problems.entries)") }
        return Double(summary.lines) / elapsed
    }

    /// Lines per second of `JSONSerialization.jsonObject` per line, reading the same fields.
    private static func serialization(_ path: String, limit: Int) -> Double {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        let lines = data.split(separator: 0x0A, maxSplits: limit, omittingEmptySubsequences: true).prefix(limit)
        let start = MonotonicClock.now()
        var sum = 0
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            sum &+= (object["id.orig_p"] as? Int ?? 0) &+ ((object["id.orig_h"] as? String)?.utf8.count ?? 0)
        }
        let elapsed = MonotonicClock.now() - start
        if sum == 42 { print("") }                            // keeps the work
        return Double(lines.count) / elapsed
    }

    /// The synthetic flows: 50,000 hosts talking to 5,000 servers on common ports, in the states detectors see.
    private static func write(lines: Int, tsv: String, json: String) throws {
        let states: [ConnState] = [.SF, .SF, .SF, .S0, .REJ, .RSTO, .S1, .OTH]
        let ports: [UInt16] = [80, 443, 53, 22, 8080, 3389, 123, 445]
        let tsvHeader = """
            #separator \\x09
            #set_separator\t,
            #empty_field\t(empty)
            #unset_field\t-
            #path\tconn
            #open\t2026-12-01-00-00-00
            #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents
            #types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]

            """
        var tsvOut = BufferedText(path: tsv)
        var jsonOut = BufferedText(path: json)
        tsvOut.append(tsvHeader)
        for index in 0..<lines {
            let port = ports[index % ports.count]
            let state = states[(index / 3) % states.count]
            let record = ConnRecord(
                startTime: PacketTime(microseconds: 1_700_000_000_000_000 + Int64(index) * 1_000),
                lastTime: PacketTime(microseconds: 1_700_000_000_000_000 + Int64(index) * 1_000 + Int64(index % 5_000) * 97),
                uid: FlowUID(UInt64(index) &* 0x9E37_79B9_7F4A_7C15),
                originator: IPAddress(ipv4: 0x0A00_0000 | UInt32(index % 50_000)), originatorPort: UInt16(1024 + index % 60_000),
                responder: IPAddress(ipv4: 0xC633_6400 | UInt32(index % 5_000)), responderPort: port,
                proto: port == 53 || port == 123 ? .udp : .tcp, ipProtocol: port == 53 || port == 123 ? 17 : 6,
                originatorBytes: UInt64(index % 1_500), responderBytes: UInt64(index % 9_000), connState: state,
                history: state == .SF ? "ShADadFf" : state == .S0 ? "S" : "Sr",
                originatorPackets: UInt64(1 + index % 20), originatorIPBytes: UInt64(40 + index % 3_000),
                responderPackets: UInt64(index % 18), responderIPBytes: UInt64(index % 12_000))
            jsonOut.append(ConnLogFormatter.jsonLine(record)); jsonOut.append("\n")
            let duration = record.lastTime.microseconds - record.startTime.microseconds
            tsvOut.append("\(record.startTime)\t\(record.uid)\t\(record.originator)\t\(record.originatorPort)\t\(record.responder)\t\(record.responderPort)\t\(record.proto)\t-\t\(PacketTime(microseconds: duration))\t\(record.originatorBytes)\t\(record.responderBytes)\t\(record.connState.rawValue)\t-\t-\t0\t\(record.history)\t\(record.originatorPackets)\t\(record.originatorIPBytes)\t\(record.responderPackets)\t\(record.responderIPBytes)\t(empty)\n")
        }
        tsvOut.append("#close\t2026-12-01-00-10-00\n")
        try tsvOut.close()
        try jsonOut.close()
        print("wrote \(tsv) and \(json): \(lines) flows each")
    }

    /// Appends text to a file in 4 MiB writes.
    private struct BufferedText {
        let fd: Int32
        var bytes: [UInt8] = []
        init(path: String) {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            bytes.reserveCapacity(4 << 20)
        }
        mutating func append(_ text: String) {
            bytes.append(contentsOf: text.utf8)
            if bytes.count >= 4 << 20 { flush() }
        }
        mutating func flush() {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
            bytes.removeAll(keepingCapacity: true)
        }
        mutating func close() throws {
            flush()
            guard fd >= 0, Glibc.close(fd) == 0 else { throw SystemError.current("writing", object: "benchmark file") }
        }
    }
}
