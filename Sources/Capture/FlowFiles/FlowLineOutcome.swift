import Records

/// What one line of a flow file turned into.
enum FlowLineOutcome {
    /// A record: a connection, or an application-layer record of a Zeek log or Suricata event.
    case record(Record)
    /// A header, comment or blank line: nothing to count.
    case header
    /// A good line that is not a flow slipsd reads (a Suricata `alert`, an Argus record between MAC addresses);
    /// counted under `kind`, reported in the summary only.
    case skipped(FlowSkipKind)
    /// A bad line: counted under its kind, reported once with file:line, and the run goes on.
    case problem(FlowProblemKind, String)
}

/// Good lines that carry no connection slipsd reads, by why.
public enum FlowSkipKind: Hashable, Sendable, CustomStringConvertible {
    /// An Argus record between non-IP addresses (MAC addresses of `llc`/`arp` frames, `man` records): Slips
    /// rejects flows whose addresses are not IPs too.
    case notIPFlow
    /// A Suricata event that is no flow and that Slips ignores too (`alert`, `anomaly`, `stats`).
    case ignoredEvent(String)
    /// A Suricata `dns` query event: its answer event carries the question too and becomes the record.
    case dnsQueryEvent
    /// A record kind whose reader comes in a later version (Zeek's login.log).
    case notReadYet(String)

    public var description: String {
        switch self {
        case .notIPFlow: "not an IP flow"
        case .ignoredEvent(let type): "\(type) events (ignored, as Slips does)"
        case .dnsQueryEvent: "Suricata dns query events (their answer events carry the question)"
        case .notReadYet(let kind): "\(kind) (not read yet)"
        }
    }
}

/// Bad lines, by kind: each kind is reported once (the first line) and counted.
public enum FlowProblemKind: String, Hashable, Sendable, CaseIterable {
    /// The line is not of the file's format (bad JSON, wrong number of columns, data before a header).
    case malformedLine = "malformed line"
    /// A field holds text of the wrong type (`id.orig_p` = `http`).
    case badField = "wrong type in a field"
    /// A field the record needs is absent.
    case missingField = "missing field"
    /// The file ends inside the last line and that line could not be read.
    case truncatedLastLine = "truncated last line"
    /// A Suricata `event_type` neither read nor known.
    case unsupportedEvent = "unsupported event type"
    /// A Zeek log of a kind Slips does not read (`capture_loss`, `reporter`, …) given as a file or on a stream.
    case unknownLogKind = "unknown log kind"
    /// A line longer than the reader keeps.
    case overlongLine = "line too long"
}
