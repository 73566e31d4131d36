/// Why an SSH identification could not be read (RFC 4253 §4.2), counted in `AnalyzerStatistics.sshMalformations`;
/// the direction then stops looking for it.
public enum SSHMalformation: UInt8, AnalyzerMalformation {
    /// An identification line longer than 255 bytes.
    case lineTooLong
    /// More than `SSHIdentification.maxPrecedingLines` lines before the `SSH-` line.
    case tooManyLines
    /// A line starting with `SSH-` that is not `SSH-protoversion-softwareversion`.
    case badIdentification

    /// The stable label used in counters and logs.
    public var label: String {
        switch self {
        case .lineTooLong: "ssh_line_too_long"
        case .tooManyLines: "ssh_too_many_lines"
        case .badIdentification: "ssh_bad_identification"
        }
    }
}
