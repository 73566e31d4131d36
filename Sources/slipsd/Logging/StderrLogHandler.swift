import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// slipsd's swift-log backend: one line per message on standard error (journald under systemd), written with
/// one `write(2)` so lines from several threads never interleave.
///
/// Shape: `slipsd: <message>` for info and notice, `slipsd: warning: <message>`, `slipsd: error: <message>`, and
/// `slipsd: [<label>] <message>` at debug and trace (what `-v` adds). Metadata is appended as `key=value`.
/// Installed once by `LoggingBootstrap`.
struct StderrLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "slipsd: "
        switch event.level {
        case .trace, .debug: line += "[\(label)] "
        case .info, .notice: break
        case .warning: line += "warning: "
        case .error, .critical: line += "error: "
        }
        line += event.message.description
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += "\n"
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return Glibc.write(2, base + offset, raw.count - offset)
            }
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }


}
