import NetCore

/// What reading a flow file (or a Zeek directory) did: lines, records, profiles, time span, and every skipped and
/// bad line by kind.
public struct FlowFileSummary: Sendable {
    /// The path given (`-` for standard input).
    public var path: String
    /// The format read.
    public var format: FlowFileFormat
    /// The files read, in order.
    public var filesRead: [String] = []
    /// Every line read, header lines included.
    public var lines = 0
    /// Bytes read.
    public var bytes = 0
    /// Records handed to detection (every kind).
    public var records = 0
    /// Records by channel (`new_flow`, `new_http`, `new_ssl`, …).
    public var recordsByChannel: [String: Int] = [:]
    /// Distinct originators of those records: the profiles Slips would create.
    public var profiles = 0
    /// The earliest start and the latest end of the records.
    public var firstTime: PacketTime?
    public var lastTime: PacketTime?
    /// Skipped and bad lines by kind.
    public var problems = FlowFileProblems()
    /// Logs of a Zeek directory that slipsd does not read yet, with their line counts (headers excluded).
    public var notReadYet: [(file: String, lines: Int)] = []
    /// Files of a Zeek directory that are no log Slips reads.
    public var ignoredFiles: [String] = []
    /// A file ended inside its last line and that line could not be read.
    public var truncated = false
    /// `--input-socket`: writers that connected.
    public var writers = 0
    /// Follow mode: logs read again from their start after a rotation.
    public var rotations = 0
    /// Standard input ended with a `done` line.
    public var endedByDone = false

    /// An empty summary for `path` in `format`.
    public init(path: String, format: FlowFileFormat) {
        self.path = path
        self.format = format
    }
}
