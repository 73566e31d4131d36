import NetCore

/// Repeated dumps of the block sets merged into one listing, until a pass finds nothing the earlier ones lacked.
///
/// The kernel's dump of a hash set restarts its walk for every netlink datagram it fills and skips, by count, the
/// elements it already sent. When the set changes between two datagrams — an element added or removed ahead of the
/// walk's position, a timeout running out, or the hash table resizing itself in the background after a bulk insert,
/// none of which sets `NLM_F_DUMP_INTR` — the walk shifts and elements are missed or repeated (a paced listing of
/// 30,000 elements inserted just before missed 415 of them in one run of three here). So a listing is repeated
/// until a pass finds no element the earlier passes lacked, at most `maxPasses` times.
///
/// Each element is kept as last seen. One seen only in an earlier pass (missed by a later walk, or deleted since)
/// keeps its remaining time less the time since that pass began, and is left out once that has run out; hosts an
/// operator unblocked meanwhile are the caller's to leave out (`KernelBlockLearning` records them). An element
/// deleted by hand (`nft delete element`) between two passes is still listed: `slipsd --unblock` lifts what that
/// leaves in the daemon.
struct BlockListingPasses {
    /// Passes at most: after a bulk insert the table settles within the second pass.
    static let maxPasses = 4

    private var merged: [BlockedElement.Key: (element: BlockedElement, seenAt: Double)] = [:]
    private var seenInPass = Set<BlockedElement.Key>()
    private var passStart = 0.0
    private var newInPass = 0
    /// Passes begun.
    private(set) var passes = 0
    /// True once a pass found nothing new (or the sets were empty) and its dump was not interrupted.
    private(set) var settled = false

    /// Starts a pass at monotonic time `now` (seconds).
    mutating func beginPass(now: Double) {
        passes += 1
        passStart = now
        newInPass = 0
        seenInPass.removeAll(keepingCapacity: true)
    }

    /// An element the current pass's dump delivered (repeats within a pass are ignored).
    mutating func add(_ element: BlockedElement) {
        guard seenInPass.insert(element.key).inserted else { return }
        if merged.updateValue((element, passStart), forKey: element.key) == nil { newInPass += 1 }
    }

    /// Ends the current pass; true when another is needed (and allowed).
    mutating func endPass(interrupted: Bool) -> Bool {
        let nothingNew = passes == 1 ? merged.isEmpty : newInPass == 0
        settled = nothingNew && !interrupted
        return !settled && passes < Self.maxPasses
    }

    /// The merged elements at monotonic time `now`, sorted by address (then scope, as the sets are listed).
    func elements(now: Double) -> [BlockedElement] {
        var result: [BlockedElement] = []
        result.reserveCapacity(merged.count)
        for (key, entry) in merged {
            var element = entry.element
            if !seenInPass.contains(key), let remaining = element.remaining {
                let left = remaining - .milliseconds(Int64(((now - entry.seenAt) * 1000).rounded(.up)))
                guard left > .zero else { continue }
                element.remaining = left
            }
            result.append(element)
        }
        return result.sorted { ($0.address, $0.scope.rawValue) < ($1.address, $1.scope.rawValue) }
    }
}

extension BlockedElement {
    /// Address and scope: one element per set.
    struct Key: Hashable {
        var address: IPAddress
        var scope: BlockScope
    }

    var key: Key { Key(address: address, scope: scope) }
}
