import Foundation
import NetCore

extension BlockJournal {
    /// What a start-up restore did.
    public struct RestoreReport: Sendable, Equatable {
        /// Blocks put back into the kernel with their remaining time.
        public var restored: [IPAddress] = []
        /// Blocks already in the kernel (a restart, not a reboot): left as they are.
        public var alreadyInKernel: [IPAddress] = []
        /// Entries whose expiry had passed, dropped.
        public var expired = 0
        /// Entries refused by the allowlist or self-protection, dropped.
        public var refused: [IPAddress] = []
        /// Kernel elements the file did not have, added to it.
        public var adopted: [IPAddress] = []
        /// One line per decision and problem, for the log.
        public var lines: [String] = []
    }

    /// Start-up: puts the file's blocks back into the kernel and makes the file match.
    ///
    /// Entries whose expiry passed are dropped; every other entry goes through `stage.refusalReason` — the same
    /// allowlist and self-protection checks as a new block, so the gateway, its routes, its resolvers and the
    /// allowlist are never blocked even if the file says so — and is then added with its remaining time as the
    /// element's timeout, unless the kernel already has it. Kernel elements with a timeout that the file lacks
    /// (blocks made before the file existed) are added to it. The file is then rewritten with what holds.
    /// Call on the stage's thread (it sends netlink messages: CAP_NET_ADMIN).
    /// - Returns: what was done; a file that cannot be read or written is reported in `lines`, never thrown.
    /// - Parameter listed: the kernel's elements when the caller already listed them; nil lists them here.
    public func restore(into stage: ResponseStage, listed: [BlockedElement]? = nil, now: Date = Date()) -> RestoreReport {
        restore(into: stage, kernel: listed.map(Listing.given) ?? .list, now: now)
    }

    /// Start-up without listing the kernel's sets (a million elements take seconds to dump): every live,
    /// allowed entry of the file is added again with its remaining time — adding an element the kernel already
    /// has only sets its timeout to the same remaining time — so the file's blocks hold the moment the daemon
    /// is ready, after a reboot as after a restart. The kernel's elements that the file lacks are added to it
    /// later, once `KernelBlockLearning` listed them (`recordKernelBlocks`).
    public func restoreWithoutListing(into stage: ResponseStage, now: Date = Date()) -> RestoreReport {
        restore(into: stage, kernel: .skip, now: now)
    }

    /// The kernel's elements the file lacks (blocks made before the file existed, or by another process) are
    /// queued for it through the stage's journal writer. Call on the stage's thread with a fresh listing.
    /// - Returns: the log lines.
    public func recordKernelBlocks(_ listed: [BlockedElement], into stage: ResponseStage, now: Date = Date()) -> [String] {
        guard let writer = stage.journal else { return [] }
        let known: Set<IPAddress>
        do { known = Set(try load(now: now).entries.map(\.address)) } catch {
            return ["state file \(path) not read: \(error); the kernel's blocks are not added to it"]
        }
        let missing = Self.entries(forKernel: listed, notIn: known, now: now)
        for entry in missing { writer.record(entry) }
        return missing.isEmpty ? [] : ["state file \(path): \(missing.count) kernel block(s) added to the file"]
    }

    /// Where `restore` learns what the kernel holds.
    private enum Listing {
        case list, given([BlockedElement]), skip
    }

    /// File entries for the kernel elements with a timeout (slipsd's) whose address is not in `known`.
    private static func entries(forKernel elements: some Sequence<BlockedElement>, notIn known: Set<IPAddress>,
                                now: Date) -> [BlockJournalEntry] {
        var result: [BlockJournalEntry] = []
        for element in elements where !known.contains(element.address) {
            guard let remaining = element.remaining else { continue }   // not slipsd's: no timeout
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            let timeout = element.timeout.map { Double($0.components.seconds) } ?? seconds
            result.append(BlockJournalEntry(address: element.address, scope: element.scope,
                                            origin: element.alertID == "manual" ? .operator : .alert,
                                            reason: element.reason ?? "", alertID: element.alertID ?? "",
                                            blockedAt: now.addingTimeInterval(seconds - timeout),
                                            expiresAt: now.addingTimeInterval(seconds)))
        }
        return result
    }

    private func restore(into stage: ResponseStage, kernel: Listing, now: Date) -> RestoreReport {
        var report = RestoreReport()
        let loaded: Loaded
        do { loaded = try load(now: now) } catch {
            report.lines.append("state file \(path) not read: \(error); no block restored")
            return report
        }
        report.lines += loaded.notes
        report.expired = loaded.expired
        let inKernel: [IPAddress: BlockedElement]
        do {
            let elements: [BlockedElement]
            switch kernel {
            case .list: elements = try stage.blocker.list()
            case .given(let listed): elements = listed
            case .skip: elements = []
            }
            inKernel = Dictionary(elements.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        } catch {
            report.lines.append("state file \(path): listing the kernel's blocks failed: \(error); no block restored")
            return report
        }
        var kept: [BlockJournalEntry] = []
        var toAdd: [(entry: BlockJournalEntry, element: BlockEntry)] = []
        for entry in loaded.entries {
            if let why = stage.refusalReason(entry.address) {
                report.refused.append(entry.address)
                report.lines.append("not restoring the block of \(entry.address) from the state file: it \(why)")
            } else if inKernel[entry.address]?.scope == entry.scope {
                report.alreadyInKernel.append(entry.address)
                kept.append(entry)
            } else if let element = entry.kernelEntry(at: now) {
                toAdd.append((entry, element))
            }
        }
        if !toAdd.isEmpty {
            do {
                let outcomes = try stage.blocker.block(toAdd.map(\.element))
                for (item, outcome) in zip(toAdd, outcomes) {
                    switch outcome.status {
                    case .blocked:
                        report.restored.append(item.entry.address)
                        kept.append(item.entry)
                    case .refused(let why):
                        report.refused.append(item.entry.address)
                        report.lines.append("not restoring the block of \(item.entry.address): \(why)")
                    case .failed(let why):
                        kept.append(item.entry)        // kept for the next start
                        report.lines.append("restoring the block of \(item.entry.address) failed: \(why)")
                    }
                }
            } catch {
                kept += toAdd.map(\.entry)
                report.lines.append("restoring \(toAdd.count) block(s) from the state file failed: \(error)")
            }
        }
        let fromKernel = Self.entries(forKernel: inKernel.values, notIn: Set(loaded.entries.map(\.address)), now: now)
        kept += fromKernel
        report.adopted += fromKernel.map(\.address)
        do { try replace(with: kept, now: now) } catch {
            report.lines.append("rewriting the state file failed: \(error)")
        }
        if case .skip = kernel {
            report.lines.append("state file \(path): \(report.restored.count) block(s) restored with their remaining time, "
                + "\(report.expired) expired, \(report.refused.count) refused (the kernel's other blocks are added to "
                + "the file once listed)")
        } else {
            report.lines.append("state file \(path): \(report.restored.count) block(s) restored with their remaining time, "
                + "\(report.alreadyInKernel.count) already in the kernel, \(report.expired) expired, "
                + "\(report.refused.count) refused, \(report.adopted.count) kernel block(s) added to the file")
        }
        return report
    }
}
