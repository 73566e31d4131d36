import NetCore

/// An SSH flow's state in its `AnalyzedFlow`: each side's identification once read, whether it was reported,
/// and the bytes each side sent after it (for the success heuristic). A few dozen bytes and two strings.
struct SSHFlowState {
    /// Each side's identification; nil until read.
    var client: SSHIdentification?
    var server: SSHIdentification?
    /// A side gave up looking for its identification (a malformation).
    var clientStopped = false
    var serverStopped = false
    /// Lines skipped before a side's identification.
    var clientLines = 0
    var serverLines = 0
    /// The client's identification was read on the established flow (the session record is then due).
    var reported = false
    /// When it was seen (the session record's `ts`).
    var firstTime = PacketTime.zero
    /// Payload bytes after each side's identification.
    var bytesAfter: UInt64 = 0
}
