#if canImport(Glibc)
import Glibc
#endif
import Detect
import NetCore

extension Slipsd {
    /// The `--zeek-logs` writer for `-o DIR` (`DIR/zeek/`), or nil without the flag.
    /// - Throws: `SystemError` naming the directory that could not be created.
    func zeekLogWriter() throws(SystemError) -> ZeekLogWriter? {
        guard zeekLogs, let outputDirectory else { return nil }
        if mkdir(outputDirectory, 0o750) != 0 && errno != EEXIST {
            throw SystemError.current("creating output directory", object: outputDirectory)
        }
        return try ZeekLogWriter(directory: outputDirectory + "/zeek")
    }
}
