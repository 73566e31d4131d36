/// The flow formats slipsd reads, as named on the command line (`--input-type`, Slips' `-f zeek|argus|suricata`).
public enum FlowInputType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Zeek logs: tab-separated or JSON, one file or a directory.
    case zeek
    /// Argus binetflow, comma- or tab-separated.
    case argus
    /// Suricata eve.json.
    case suricata
    /// nfdump capture files (read through the `nfdump` binary).
    case nfdump

    public var description: String { rawValue }
}

/// The format of one flow file as detected (or forced), with what its reader needs to know.
public enum FlowFileFormat: Sendable, Equatable, CustomStringConvertible {
    /// A Zeek directory of logs.
    case zeekDirectory
    /// A Zeek tab-separated log.
    case zeekTSV
    /// A Zeek JSON log.
    case zeekJSON
    /// An Argus binetflow file.
    case argus
    /// A Suricata eve.json file.
    case suricata
    /// An nfdump capture file.
    case nfdump
    /// Zeek JSON conn lines from writers on a Unix socket (`--input-socket`).
    case inputSocket

    /// The input type it belongs to.
    public var inputType: FlowInputType {
        switch self {
        case .zeekDirectory, .zeekTSV, .zeekJSON, .inputSocket: .zeek
        case .argus: .argus
        case .suricata: .suricata
        case .nfdump: .nfdump
        }
    }

    public var description: String {
        switch self {
        case .zeekDirectory: "Zeek log directory"
        case .zeekTSV: "Zeek log, tab-separated"
        case .zeekJSON: "Zeek log, JSON"
        case .argus: "Argus binetflow"
        case .suricata: "Suricata eve.json"
        case .nfdump: "nfdump file"
        case .inputSocket: "Zeek JSON lines on a Unix socket"
        }
    }
}
