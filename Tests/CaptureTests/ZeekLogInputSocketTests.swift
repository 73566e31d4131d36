import Foundation
import Synchronization
import Testing
import NetCore
import Records
@testable import Capture

/// `--input-socket` at the reader's level: lines longer than the bound are dropped and reported, a writer that hangs
/// up inside a line is reported, and the good lines of the same writers are all read.
@Suite("Flow files: input socket", .serialized)
struct ZeekLogInputSocketTests {
    static func line(_ n: Int) -> String {
        #"{"ts":\#(1_700_000_000 + n).0,"uid":"CS\#(n)abcdefghijklm","id.orig_h":"10.0.0.1","id.orig_p":\#(40000 + n),"id.resp_h":"10.0.0.2","id.resp_p":80,"proto":"tcp","conn_state":"SF"}"#
    }

    @Test(.timeLimit(.minutes(1)))
    func overlongAndCutLinesAreReportedAndTheRestRead() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/in.sock"
        let handoff = RecordHandoff(producers: 1, producersMayWait: true)
        let stop = SocketStopFlag()
        let result = Mutex<FlowFileSummary?>(nil)
        let warnings = Mutex<[String]>([])
        let thread = Thread {
            let source = FlowFileSource(inputSocket: path, warn: { line in warnings.withLock { $0.append(line) } })
            let summary = try? source.run(handoff: handoff, shouldStop: { stop.value.load(ordering: .relaxed) })
            result.withLock { $0 = summary }
            handoff.finish()
        }
        thread.start()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: path), Date() < deadline { usleep(10_000) }
        try #require(FileManager.default.fileExists(atPath: path))
        let overlong = "{\"ts\":1.0,\"x\":\"" + String(repeating: "a", count: InputSocket.maximumLine + 10) + "\"}"
        #expect(Self.send(Self.line(1) + "\n" + overlong + "\n" + Self.line(2) + "\n", to: path))
        #expect(Self.send(Self.line(3) + "\n" + String(Self.line(4).prefix(30)), to: path))    // hangs up mid-line
        var seen: [Int64] = []
        var batch: [RecordEvent] = []
        while seen.count < 3, Date() < deadline {
            _ = handoff.take(into: &batch, timeoutMicroseconds: 50_000)
            for case .record(let record) in batch { seen.append(record.time.microseconds / 1_000_000 - 1_700_000_000) }
            batch.removeAll()
        }
        stop.value.store(true, ordering: .relaxed)
        while handoff.take(into: &batch, timeoutMicroseconds: 100_000) { batch.removeAll() }
        #expect(seen.sorted() == [1, 2, 3])
        let summary = try #require(result.withLock { $0 })
        #expect(summary.records == 3 && summary.writers == 2)
        #expect(summary.problems.count(of: .overlongLine) == 1)
        #expect(summary.problems.count(of: .truncatedLastLine) == 1)
        #expect(!summary.truncated)                                    // a writer's cut line does not end the run
        let reported = warnings.withLock { $0 }
        #expect(reported.contains { $0.contains(path + "#1:2:") && $0.contains("line too long") }, "\(reported)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    static func send(_ text: String, to path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes); raw[bytes.count] = 0 }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return false }
        let data = Array(text.utf8)
        var offset = 0
        while offset < data.count {
            let n = data[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}

private final class SocketStopFlag: Sendable {
    let value = Atomic<Bool>(false)
}
