#if canImport(Glibc)
import Glibc
#endif
import NetCore
import Records

/// Writes records as Zeek-style JSON logs (`--zeek-logs` with `-o DIR`): one file per kind in `DIR/zeek/`
/// (`conn.log`, `dns.log`, `ssl.log`, `x509.log`, `http.log`, `files.log`, `ssh.log`, `software.log`,
/// `smtp.log`, `dhcp.log`), one JSON object per line with Zeek's field names and value shapes, so that
/// `slipsd -f DIR/zeek` (and Slips) read them back. A file is created at its first line; interim flow reports
/// and per-side SSH banner records are not written (Zeek has no line for them). Buffered; flushed at least
/// every second of packet time and at close. Runs on the detection thread. Write errors are kept in
/// `lastError` (and thrown by `close()`).
public final class ZeekLogWriter {
    /// The log kinds written, in the order of `Kind.allCases`.
    enum Kind: String, CaseIterable { case conn, dns, ssl, x509, http, files, ssh, software, smtp, dhcp }

    /// The directory the logs go to (`DIR/zeek`).
    public let directory: String
    private var files: [BufferedFileWriter?] = Array(repeating: nil, count: Kind.allCases.count)
    private var line = ZeekLogLine()
    private var lastFlush = PacketTime.zero
    /// The first error met (creating a file, or writing it).
    public private(set) var lastError: SystemError?
    /// Lines written per kind, by kind name.
    public private(set) var linesWritten: [String: UInt64] = [:]

    /// Creates `directory` (mode 0750) if needed.
    /// - Throws: `SystemError` naming the directory when it cannot be created.
    public init(directory: String) throws(SystemError) {
        self.directory = directory
        if mkdir(directory, 0o750) != 0 && errno != EEXIST {
            throw SystemError.current("creating the Zeek log directory", object: directory)
        }
    }

    /// Writes `record` to its log, if it has one.
    public func write(_ record: Record) {
        let bytes: [UInt8]?
        let kind: Kind
        let time: PacketTime
        switch record {
        case .conn(let r):
            guard r.reason != .interim else { return }
            (kind, time, bytes) = (.conn, r.lastTime, line.conn(r))
        case .dns(let r): (kind, time, bytes) = (.dns, r.time, line.dns(r))
        case .ssl(let r): (kind, time, bytes) = (.ssl, r.time, line.ssl(r))
        case .x509(let r): (kind, time, bytes) = (.x509, r.time, line.x509(r))
        case .http(let r): (kind, time, bytes) = (.http, r.time, line.http(r))
        case .files(let r): (kind, time, bytes) = (.files, r.time, line.files(r))
        case .ssh(let r): (kind, time, bytes) = (.ssh, r.time, line.ssh(r))
        case .software(let r): (kind, time, bytes) = (.software, r.time, line.software(r))
        case .smtp(let r): (kind, time, bytes) = (.smtp, r.time, line.smtp(r))
        case .dhcp(let r): (kind, time, bytes) = (.dhcp, r.time, line.dhcp(r))
        default: return
        }
        guard let bytes, let file = file(kind) else { return }
        file.write(bytes)
        linesWritten[kind.rawValue, default: 0] += 1
        if lastError == nil, let error = file.lastError { lastError = error }
        if time.microseconds(since: lastFlush) >= 1_000_000 {
            lastFlush = time
            flushAll()
        }
    }

    /// After log rotation: every open log is flushed and opened again at its path (appending, never truncating);
    /// a log not yet created is created at its first line as before.
    /// - Throws: the first `SystemError` met (that log writes on to the file open before).
    public func reopen() throws(SystemError) {
        var first: SystemError?
        for file in files.compactMap({ $0 }) {
            do { try file.reopen() } catch { first = first ?? error }
        }
        if let first { throw first }
    }

    /// Flushes and closes every file.
    /// - Throws: the first `SystemError` met while writing or closing.
    public func close() throws(SystemError) {
        for file in files.compactMap({ $0 }) {
            do { try file.close() } catch { if lastError == nil { lastError = error } }
        }
        files = Array(repeating: nil, count: Kind.allCases.count)
        if let lastError { throw lastError }
    }

    private func flushAll() {
        for file in files.compactMap({ $0 }) {
            do { try file.flush() } catch { if lastError == nil { lastError = error } }
        }
    }

    /// The kind's file, created at its first line (nil, with the error kept, when it cannot be).
    private func file(_ kind: Kind) -> BufferedFileWriter? {
        let index = Kind.allCases.firstIndex(of: kind)!
        if let file = files[index] { return file }
        do {
            let file = try BufferedFileWriter(path: directory + "/" + kind.rawValue + ".log",
                                              permissions: [.ownerReadWrite, .groupRead, .otherRead])
            files[index] = file
            return file
        } catch {
            if lastError == nil { lastError = error }
            return nil
        }
    }
}
