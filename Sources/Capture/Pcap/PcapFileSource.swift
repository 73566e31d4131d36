import NetCore
import Records
internal import CPcap
#if canImport(Glibc)
import Glibc
#endif

/// Reads a pcap or pcapng file to its end through libpcap, handing each packet to a `PacketHandler` from
/// libpcap's buffer (no copy).
///
/// Runs on the thread that calls `run` (the offline analysis gives it a dedicated thread). A file that ends in
/// the middle of a packet keeps every packet read before the cut and reports the truncation.
public final class PcapFileSource {
    /// What a finished read saw.
    public struct Summary: Sendable {
        /// Packets handed to the handler.
        public var packets: Int
        /// Time of the last packet.
        public var lastTime: PacketTime
        /// libpcap's message when the file ended in the middle of a record (e.g. "truncated dump file; …").
        public var truncation: String?
    }

    /// The file's path.
    public let path: String
    private let handle: PcapHandle

    /// The capture's link type.
    public var linkType: LinkType { handle.linkType }

    /// Opens `path` and reads its capture header (`pcap_fopen_offline_with_tstamp_precision`, microseconds).
    ///
    /// The file is opened with `O_NONBLOCK`, so a FIFO without a writer does not block `open()`; for a FIFO the
    /// call then polls (100 ms steps) until a writer has sent data or `shouldStop` returns true, and only then
    /// hands the descriptor to libpcap, which reads it blocking from there on.
    /// - Parameters:
    ///   - path: a pcap or pcapng file, or a FIFO a capture is written into.
    ///   - shouldStop: polled while waiting for a FIFO's writer (e.g. SIGINT/SIGTERM seen).
    /// - Throws: `CaptureError` naming the file and libpcap's reason (missing, unreadable, not a capture,
    ///   unsupported link type), or that it stopped while waiting for a writer.
    public init(path: String, shouldStop: () -> Bool = { false }) throws(CaptureError) {
        self.path = path
        let file = try Self.openStream(path: path, shouldStop: shouldStop)
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let pointer = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_MICRO),
                                                                     &errorBuffer) else {
            fclose(file)                                        // libpcap closes it only once it owns the handle
            var reason = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if reason.contains("unknown file format") || reason.contains("bad dump file format") {
                reason = "not a pcap or pcapng capture (\(reason))"
            } else if reason.contains("truncated dump file") {
                reason = "the file is too short to hold a capture header (\(reason))"
            }
            throw CaptureError(operation: "opening capture file", object: path, reason: reason)
        }
        self.handle = try PcapHandle(pointer: pointer, object: path)
    }

    /// Opens `path` without blocking, refuses directories, waits for a FIFO's writer, then returns a blocking
    /// stdio stream over the descriptor.
    private static func openStream(path: String, shouldStop: () -> Bool) throws(CaptureError) -> UnsafeMutablePointer<FILE> {
        let operation = "opening capture file"
        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        } while fd < 0 && Glibc.errno == EINTR
        guard fd >= 0 else { throw CaptureError.system(operation, object: path, errno: Glibc.errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = Glibc.errno
            close(fd)
            throw CaptureError.system(operation, object: path, errno: error)
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            close(fd)
            throw CaptureError(operation: operation, object: path, reason: "is a directory")
        case S_IFIFO:
            do throws(CaptureError) {
                try waitForWriter(fd: fd, path: path, shouldStop: shouldStop)
            } catch {
                close(fd)
                throw error
            }
        default:
            break
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            let error = Glibc.errno
            close(fd)
            throw CaptureError.system("making the descriptor blocking for", object: path, errno: error)
        }
        guard let file = fdopen(fd, "rb") else {
            let error = Glibc.errno
            close(fd)
            throw CaptureError.system(operation, object: path, errno: error)
        }
        return file
    }

    /// Polls a FIFO opened with `O_NONBLOCK` until it has data or its writer has come and gone (then libpcap reads
    /// the end of file and reports it), checking `shouldStop` every 100 ms. On Linux a FIFO that never had a
    /// writer does not report `POLLHUP`, so the wait lasts until a writer appears.
    private static func waitForWriter(fd: Int32, path: String, shouldStop: () -> Bool) throws(CaptureError) {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            if shouldStop() {
                throw CaptureError(operation: "opening capture file", object: path,
                                   reason: "stopped while waiting for a writer on the FIFO")
            }
            descriptor.revents = 0
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 {
                if Glibc.errno == EINTR { continue }
                throw CaptureError.system("waiting for a writer on", object: path, errno: Glibc.errno)
            }
            if ready > 0 { return }
        }
    }

    /// Reads every packet, calling `handler.handlePacket` for each, on the calling thread.
    /// - Parameter shouldStop: polled between batches; return true to stop early (e.g. on SIGINT).
    /// - Throws: `CaptureError` when libpcap reports a read error other than truncation at the end.
    public func run(handler: any PacketHandler, shouldStop: () -> Bool = { false }) throws(CaptureError) -> Summary {
        var summary = Summary(packets: 0, lastTime: .zero, truncation: nil)
        while !shouldStop() {
            let result = handle.dispatch(count: 4096, handler: handler)
            if result.packets > 0 {
                summary.packets += result.packets
                summary.lastTime = result.lastTime
                handler.batchEnded()
            }
            if result.status == 0 { break }                        // end of file
            if result.status == -2 { break }                       // pcap_breakloop
            if result.status == -1 {
                let message = handle.lastError
                if message.contains("truncated") {
                    summary.truncation = message
                    break
                }
                throw CaptureError(operation: "reading capture file", object: path, reason: message)
            }
        }
        return summary
    }

    /// Asks a running `run` to stop after the current packet (`pcap_breakloop`). Any thread.
    public func stop() { handle.breakLoop() }
}
