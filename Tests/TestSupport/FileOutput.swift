#if canImport(Glibc)
import NetCore
import Glibc
#endif

/// Why writing a capture file failed: the path, the operation and `strerror(errno)`.
public struct FileOutputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let operation: String
    public let errno: Int32

    public var description: String {
        "\(operation) '\(path)' failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// A file opened for writing (created or truncated), written with `write(2)` in large chunks.
/// Not thread-safe; used by one writer at a time.
public final class FileOutput {
    private var descriptor: Int32
    /// The path being written.
    public let path: String

    /// Creates or truncates `path` (mode 0644).
    public init(path: String) throws(FileOutputError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw FileOutputError(path: path, operation: "open", errno: Glibc.errno) }
    }

    /// Writes every byte of `bytes`, retrying short writes and EINTR.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileOutputError) {
        var done = 0
        while done < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if result < 0 {
                if Glibc.errno == EINTR { continue }
                throw FileOutputError(path: path, operation: "write", errno: Glibc.errno)
            }
            done += result
        }
    }

    /// Writes every byte of `bytes`.
    public func write(_ bytes: [UInt8]) throws(FileOutputError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(FileOutputError) in try write(raw) }
        }
        try result.get()
    }

    /// Closes the file; later writes fail with EBADF.
    public func close() throws(FileOutputError) {
        guard descriptor >= 0 else { return }
        let result = Glibc.close(descriptor)
        descriptor = -1
        if result != 0 { throw FileOutputError(path: path, operation: "close", errno: Glibc.errno) }
    }

    deinit {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }
}
