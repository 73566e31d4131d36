import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// Tells a flow file's format from its content, as Slips does (`get_input_file_type`): a directory holding a Zeek
/// log Slips reads is a Zeek directory; else the first 64 KiB are read and the first non-empty line decides:
///
/// - it starts with one of Zeek's headers (`#separator`, `#fields`, `#path`, …): a Zeek tab-separated log (a
///   Markdown `# heading` is not);
/// - it is a JSON object: Suricata when it has `event_type` or `flow_id`, a Zeek JSON log when it has `ts` and
///   `uid` or `id.orig_h` (or only `ts` in a file named as a Zeek log kind: `x509.log`, `dhcp.log`);
/// - it contains `StartTime` (an Argus header) or `->` (an Argus flow line): Argus;
/// - the file starts with nfdump's magic (`0C A5`), or its name contains `nfdump`/`nfcapd` and it is binary:
///   nfdump.
///
/// A pcap or pcapng file, or anything else, is not a flow file (nil).
public enum FlowFileDetector {
    /// The format of `path`, or nil when it is not a flow file slipsd recognises.
    /// - Throws: `CaptureError` when the path cannot be opened or read.
    public static func detect(path: String) throws(CaptureError) -> FlowFileFormat? {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CaptureError.system("opening", object: path, errno: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            // Only a directory that holds a Zeek log Slips reads (any other folder is not a flow input).
            let directory = try ZeekDirectory(directory: path)
            return !directory.logs.isEmpty || !directory.notReadYet.isEmpty ? .zeekDirectory : nil
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw CaptureError.system("opening", object: path, errno: errno) }
        defer { close(fd) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }       // a FIFO or device: captures only
        var head = [UInt8](repeating: 0, count: 65_536)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        guard n >= 0 else { throw CaptureError.system("reading", object: path, errno: errno) }
        return detect(head: head[0..<n], name: path)
    }

    /// True when `path` exists and is a flow file (used by `-r` to hand such files to the flow-file reader).
    public static func isFlowFile(path: String) -> Bool {
        (try? detect(path: path)).flatMap { $0 } != nil
    }

    /// The format of a file whose first bytes are `head`.
    public static func detect(head: ArraySlice<UInt8>, name: String) -> FlowFileFormat? {
        let bytes = Array(head)
        if bytes.count >= 2, bytes[0] == 0x0C, bytes[1] == 0xA5 { return .nfdump }
        if isPcap(bytes) { return nil }
        if bytes.contains(0) {                                            // binary
            let lowered = name.lowercased()
            return lowered.contains("nfdump") || lowered.contains("nfcapd") ? .nfdump : nil
        }
        return bytes.withUnsafeBufferPointer { buffer -> FlowFileFormat? in
            guard let line = firstLine(buffer) else { return nil }
            let kind = ZeekLogKind.named(String(ZeekDirectory.lastComponent(name).prefix { $0 != "." }))
            return detect(line: line, zeekLogName: kind != nil && kind != .conn)
        }
    }

    /// The format of text whose first non-empty line is `line`.
    /// - Parameter zeekLogName: the file is named as a Zeek log other than conn (`x509.log`): a JSON line with a
    ///   `ts` is then enough (x509, dhcp, files and software logs have no `uid` or `id.orig_h`).
    static func detect(line: FieldBytes, zeekLogName: Bool = false) -> FlowFileFormat? {
        if line[0] == 0x23 {                                             // '#': only Zeek's own headers
            for header: StaticString in ["#separator", "#set_separator", "#empty_field", "#unset_field", "#path",
                                         "#open", "#fields", "#types"] where ByteText.hasPrefix(line, header) {
                return .zeekTSV
            }
            return nil
        }
        if line[0] == 0x7B {                                             // '{'
            var keys = (eventType: false, flowID: false, ts: false, uid: false, origHost: false)
            // A head cut inside a long line is not well formed, but still names its first keys.
            _ = JSONObjectScanner.forEachMember(in: line) { key, _ in
                if ByteText.equals(key, "event_type") { keys.eventType = true }
                if ByteText.equals(key, "flow_id") { keys.flowID = true }
                if ByteText.equals(key, "ts") { keys.ts = true }
                if ByteText.equals(key, "uid") { keys.uid = true }
                if ByteText.equals(key, "id.orig_h") { keys.origHost = true }
            }
            if keys.eventType || keys.flowID { return .suricata }
            if keys.ts && (keys.uid || keys.origHost || zeekLogName) { return .zeekJSON }
            return nil
        }
        if ByteText.contains(line, "StartTime") || ByteText.contains(line, "->") { return .argus }
        return nil
    }

    /// The first line with something other than white space, trimmed (possibly cut at the end of the head).
    static func firstLine(_ buffer: FieldBytes) -> FieldBytes? {
        var start = 0
        while start < buffer.count {
            var end = start
            while end < buffer.count, buffer[end] != 0x0A { end += 1 }
            let line = ByteText.trimmed(ByteText.slice(buffer, start..<end))
            if !line.isEmpty { return line }
            start = end + 1
        }
        return nil
    }

    private static func isPcap(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        return [0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1, 0x0A0D_0D0A].contains(magic)
    }
}
