import Records

/// The probes of one scan that the scanning source completed: TCP flows in which it finished the three-way
/// handshake (proven by the flow table, `ConnRecord.handshake`) and sent no data — what a TCP-connect scan leaves
/// on the ports it finds open. A forger cannot complete a handshake with an address it does not hold, so these
/// flows prove the scanner's address; a scan evidence lists them (and is then `attackerVerified`) once at least
/// `required` distinct targets were completed, so one ordinary empty connection of an innocent host cannot
/// verify a scan forged in its name.
struct CompletedProbes<Target: Hashable> {
    /// Distinct completed targets, at most `required` (no more are needed).
    private(set) var targets: [Target] = []
    /// The completed flows, one per target.
    private(set) var uids: [FlowUID] = []

    /// Records a completed probe of `target`; false when nothing new was stored (known target, or enough already).
    mutating func add(_ target: Target, uid: FlowUID, required: Int) -> Bool {
        guard targets.count < required, !targets.contains(target) else { return false }
        targets.append(target)
        uids.append(uid)
        return true
    }

    /// Whether enough distinct targets were completed to prove the scanner's address.
    func proves(required: Int) -> Bool { targets.count >= required }
}

extension ConnRecord {
    /// A completed probe: a TCP flow whose handshake the originator finished and in which it sent no payload.
    var isCompletedProbe: Bool { proto == .tcp && handshake && !flipped && originatorBytes == 0 }
}
