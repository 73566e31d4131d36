import Foundation
import Testing
import NetCore
import ArgumentParser
@testable import slipsd

/// `slipsd -f` on a Zeek directory with every log kind, `-f DIR -g` following a growing directory until SIGTERM,
/// and `--input-socket` serving several writers at once: the built binary, fixtures written by the tests.
@Suite("Flow file input: Zeek logs, -g, --input-socket", .serialized)
struct FlowFileZeekLogsTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "slipsd-zeeklogs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func write(_ text: String, _ path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

    private func append(_ text: String, _ path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    /// A TSV log of `kind` with `fields` and one line per row.
    static func log(_ kind: String, _ fields: [String], _ rows: [[String]]) -> String {
        (["#separator \\x09", "#set_separator\t,", "#path\t\(kind)", "#fields\t" + fields.joined(separator: "\t")]
            + rows.map { $0.joined(separator: "\t") }).joined(separator: "\n") + "\n"
    }

    static let id = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"]
    static func idValues(_ ts: Int, _ uid: String) -> [String] { ["\(ts).0", uid, "10.0.0.1", "40000", "10.0.0.2", "443"] }
    static let connFields = id + ["proto", "service", "duration", "conn_state"]
    static func conn(_ ts: Int) -> [String] { idValues(ts, "Cconn\(ts)abcdefghi") + ["tcp", "ssl", "1.0", "SF"] }

    /// One line of every log kind Slips reads.
    static func writeEveryKind(into dir: String, write: (String, String) throws -> Void) throws {
        try write(log("conn", connFields, [conn(1), conn(20)]), dir + "/conn.log")
        try write(log("http", id + ["method", "host"], [idValues(2, "Ch") + ["GET", "a.example"]]), dir + "/http.log")
        try write(log("ssl", id + ["server_name", "cert_chain_fuids"], [idValues(3, "Cs") + ["b.example", "Fx1"]]), dir + "/ssl.log")
        try write(log("x509", ["ts", "id", "certificate.subject"], [["4.0", "Fx1", "CN=b.example"]]), dir + "/x509.log")
        try write(log("ssh", id + ["client", "auth_success"], [idValues(5, "Cssh") + ["SSH-2.0-x", "F"]]), dir + "/ssh.log")
        try write(log("smtp", id + ["last_reply"], [idValues(6, "Csm") + ["250 ok"]]), dir + "/smtp.log")
        try write(log("dhcp", ["ts", "uids", "client_addr", "mac"], [["7.0", "Cd", "10.0.0.1", "02:00:00:00:00:01"]]), dir + "/dhcp.log")
        try write(log("arp", ["ts", "operation", "src_mac", "dst_mac", "orig_h", "resp_h"],
                      [["8.0", "request", "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff", "10.0.0.1", "10.0.0.9"]]), dir + "/arp.log")
        try write(log("notice", id + ["note", "msg", "src"], [idValues(9, "-") + ["Scan::Port_Scan", "scan", "10.0.0.1"]]), dir + "/notice.log")
        try write(log("software", ["ts", "host", "name"], [["10.0", "10.0.0.1", "Firefox"]]), dir + "/software.log")
        try write(log("files", ["ts", "fuid", "rx_hosts"], [["11.0", "Fx2", "10.0.0.1"]]), dir + "/files.log")
        try write(log("weird", id + ["name"], [idValues(12, "Cw") + ["bad_TCP_checksum"]]), dir + "/weird.log")
        try write(log("tunnel", id + ["tunnel_type", "action"], [idValues(13, "Ct") + ["Tunnel::GRE", "Tunnel::DISCOVER"]]), dir + "/tunnel.log")
        try write(log("ftp", id + ["command", "data_channel.resp_p"], [idValues(14, "Cf") + ["RETR", "50001"]]), dir + "/ftp.log")
        try write(log("dns", id + ["query"], [idValues(15, "Cq") + ["a.example"]]), dir + "/dns.log")
    }

    @Test func growingAndInputSocketOptions() throws {
        let growing = try Slipsd.parse(["-f", "zeek/", "-g"])
        #expect(growing.mode == .flowFile("zeek/") && growing.growing)
        let socket = try Slipsd.parse(["--input-socket", "/run/in.sock", "-o", "out"])
        #expect(socket.mode == .flowFile("/run/in.sock") && socket.inputSocket == "/run/in.sock")
        #expect(throws: (any Error).self) { try Slipsd.parse(["-r", "x.pcap", "-g"]) }
        #expect(throws: (any Error).self) { try Slipsd.parse(["-f", "zeek/", "--input-socket", "/run/in.sock"]) }
        #expect(throws: (any Error).self) { try Slipsd.parse(["--input-socket", "/run/in.sock", "--input-type", "argus"]) }
    }

    @Test func growingNeedsADirectory() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(Self.log("conn", Self.connFields, [Self.conn(1)]), dir + "/conn.log")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", dir + "/conn.log", "-g"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("-g follows a Zeek directory"), "\(result.stderr)")
    }

    @Test func directoryWithEveryLogKindIsRead() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeEveryKind(into: dir, write: write)
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", dir, "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("(Zeek log directory)"), "\(result.stdout)")
        #expect(result.stdout.contains(" 16 records"), "\(result.stdout)")
        #expect(result.stdout.contains("problems      none"), "\(result.stdout)")
        for channel in ["new_flow 2", "new_http 1", "new_ssl 1", "new_x509 1", "new_ssh 1", "new_smtp 1", "new_dhcp 1",
                        "new_arp 1", "new_notice 1", "new_software 1", "new_downloaded_file 1", "new_weird 1",
                        "new_tunnel 1", "new_ftp 1", "new_dns 1"] {
            #expect(result.stdout.contains(channel), "no \(channel): \(result.stdout)")
        }
        #expect(!result.stdout.contains("not read yet"), "\(result.stdout)")
    }

    /// Starts slipsd with stdout and stderr in files (no pipe to fill while it runs).
    private func start(_ arguments: [String], in dir: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.slipsdBinary)
        process.arguments = arguments
        FileManager.default.createFile(atPath: dir + "/stdout", contents: nil)
        FileManager.default.createFile(atPath: dir + "/stderr", contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/stdout"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/stderr"))
        try process.run()
        return process
    }

    /// Waits (bounded) until `ready` holds, checking every 20 ms; false when it never did or the process ended.
    private func waitUntil(_ process: Process, seconds: Double = 30, _ ready: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, process.isRunning {
            if ready() { return true }
            usleep(20_000)
        }
        return false
    }

    /// True when process `pid` has `path` open (it has started reading it, so its signal handlers are installed).
    private func hasOpen(_ pid: Int32, _ path: String) -> Bool {
        let fds = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? []
        return entries.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + $0)) == path }
    }

    private func finish(_ process: Process, in dir: String) throws -> (status: Int32, stdout: String, stderr: String) {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOfFile: dir + "/stdout", encoding: .utf8),
                try String(contentsOfFile: dir + "/stderr", encoding: .utf8))
    }

    @Test(.timeLimit(.minutes(2)))
    func growingDirectoryIsFollowedUntilSIGTERM() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let zeek = dir + "/zeek"
        try FileManager.default.createDirectory(atPath: zeek, withIntermediateDirectories: true)
        try write(Self.log("conn", Self.connFields, [Self.conn(1)]), zeek + "/conn.log")
        try write(Self.log("http", Self.id + ["method"], [Self.idValues(2, "Ch") + ["GET"]]), zeek + "/http.log")
        let process = try start(["-f", zeek, "-g", "-o", dir + "/out"], in: dir)
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        let resolved = URL(fileURLWithPath: zeek + "/conn.log").resolvingSymlinksInPath().path
        try #require(waitUntil(process) { hasOpen(process.processIdentifier, resolved) }, "slipsd never opened conn.log")
        // Lines Zeek appends while slipsd runs, one of them written in two parts.
        try append(Self.conn(3).joined(separator: "\t") + "\n" + Self.conn(4).prefix(3).joined(separator: "\t"), zeek + "/conn.log")
        try append("\t" + Self.conn(4).dropFirst(3).joined(separator: "\t") + "\n", zeek + "/conn.log")
        try append((Self.idValues(5, "Ch2") + ["POST"]).joined(separator: "\t") + "\n", zeek + "/http.log")
        let result = try finish(process, in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(" 5 records"), "\(result.stdout)")
        #expect(result.stdout.contains("new_flow 3") && result.stdout.contains("new_http 2"), "\(result.stdout)")
        #expect(result.stdout.contains("problems      none"), "\(result.stdout)")
    }

    @Test(.timeLimit(.minutes(2)))
    func inputSocketTakesLinesFromSeveralWritersAtOnce() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let socketPath = dir + "/in.sock"
        let process = try start(["--input-socket", socketPath, "-o", dir + "/out"], in: dir)
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        try #require(waitUntil(process) { FileManager.default.fileExists(atPath: socketPath) }, "no socket at \(socketPath)")
        let writers = 4, perWriter = 250
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            var text = ""
            for index in 0..<perWriter {
                let ts = 1_700_000_000 + writer * 1000 + index
                text += #"{"ts":\#(ts).5,"uid":"CW\#(writer)x\#(index)abcdefghij","id.orig_h":"10.1.\#(writer).1","id.orig_p":\#(40000 + index),"id.resp_h":"10.2.0.1","id.resp_p":443,"proto":"tcp","conn_state":"SF"}"# + "\n"
                if writer == 0, index == 10 { text += "{\"ts\":oops}\n" }       // one bad line, not fatal
            }
            if !Self.send(text, to: socketPath) { failures.add("writer \(writer) could not send") }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let result = try finish(process, in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(" \(writers * perWriter) records"), "\(result.stdout)")
        #expect(result.stdout.contains("writers       \(writers)"), "\(result.stdout)")
        #expect(result.stdout.contains("profiles      \(writers)"), "\(result.stdout)")
        #expect(result.stdout.contains("problems      1 malformed line"), "\(result.stdout)")
        #expect(result.stderr.contains(socketPath + "#"), "the bad line is reported with where it came from: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: socketPath), "the socket is removed at the end")
    }

    /// Connects to the Unix socket at `path`, writes `text` in pieces of 1000 bytes, and closes.
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
            let end = min(offset + 1000, data.count)
            let n = data[offset..<end].withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}

/// Messages from concurrent writers.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.lock(); messages.append(message); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }
}
