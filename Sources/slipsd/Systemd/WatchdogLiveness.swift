/// Decides, once per watchdog period, whether the inline daemon is making progress: every packet thread's
/// heartbeat moved since the previous check, and the detection thread took the events waiting for it (none
/// waiting counts as progress). Pure bookkeeping, no clock: the caller checks once per period.
struct WatchdogLiveness {
    /// The detection thread's side, as `RecordHandoff.consumerProgress` reports it.
    struct Detection: Equatable {
        var taken: UInt64
        var pending: Int

        init(taken: UInt64, pending: Int) {
            self.taken = taken
            self.pending = pending
        }

        /// From `RecordHandoff.consumerProgress`.
        init(_ progress: (taken: UInt64, pending: Int)) {
            self.init(taken: progress.taken, pending: progress.pending)
        }
    }

    private var lastHeartbeats: [(queue: UInt16, count: UInt64)]?
    private var lastDetection: Detection?

    /// Compares with the previous check and remembers these values for the next.
    /// - Parameters:
    ///   - heartbeats: each queue's packet-thread heartbeat, in queue order (`NFQueueSource.heartbeats`).
    ///   - detection: batches taken so far and events waiting now.
    /// - Returns: nil when everything moved, else why not (for one log line). The first check has nothing to
    ///   compare with and passes.
    mutating func check(heartbeats: [(queue: UInt16, count: UInt64)], detection: Detection) -> String? {
        defer {
            lastHeartbeats = heartbeats
            lastDetection = detection
        }
        var problems: [String] = []
        if let last = lastHeartbeats, last.count == heartbeats.count {
            let stuck = heartbeats.indices.filter { heartbeats[$0].count == last[$0].count }.map { heartbeats[$0].queue }
            if !stuck.isEmpty {
                problems.append("the packet thread\(stuck.count > 1 ? "s" : "") of queue "
                                + "\(stuck.map(String.init).joined(separator: ", ")) made no progress")
            }
        }
        if let last = lastDetection, detection.pending > 0, last.pending > 0, detection.taken == last.taken {
            problems.append("the detection thread took none of \(detection.pending) waiting events")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}
