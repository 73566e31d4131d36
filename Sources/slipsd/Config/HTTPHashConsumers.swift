import Capture

/// Who reads HTTP body digests in this run, for `analyzers.http_hashes: auto`: `--zeek-logs` writes files.log
/// with MD5, SHA-1 and SHA-256 (as Slips' Zeek does), and the detectors read what `DetectionWiring.bodyDigestsRead`
/// says (MD5 for MALICIOUS_DOWNLOADED_FILE when a threat-intelligence list holds MD5s). Nothing else reads them,
/// so with no consumer no digest is computed (files records still carry the MIME type and sizes). Decided once at
/// start: a list with MD5s that a feed refresh brings later is matched only after a restart.
struct HTTPHashConsumers: Sendable, Equatable {
    /// `--zeek-logs` with `-o DIR`: files.log gets every digest.
    var zeekLogs = false
    /// The digests the running detectors match.
    var detectors: HTTPBodyHashKinds = []

    /// No consumer: no digest.
    init(zeekLogs: Bool = false, detectors: HTTPBodyHashKinds = []) {
        self.zeekLogs = zeekLogs
        self.detectors = detectors
    }

    /// The digests these consumers read.
    var needed: HTTPBodyHashKinds { zeekLogs ? .all : detectors }
}
