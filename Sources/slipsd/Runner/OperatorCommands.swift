import NetCore
import Records
import Blocker
import Capture
import Foundation

/// `--block`, `--unblock`, `--list-blocked`: talk to the kernel through netlink directly, whether or not the
/// daemon runs; `--unblock` also tells a running daemon so it does not block the host again at once, and
/// `--status` asks it. Every exchange with the daemon is bounded in time (`ControlClient`).
struct OperatorCommands {
    let settings: SlipsdSettings

    func block(ip address: IPAddress, seconds: Int?, force: Bool) -> Int32 {
        let ip = address.description
        do {
            let blocker = try ResponseWiring.blocker(settings: settings)
            _ = try blocker.setUp()
            if !force, let reason = blocker.protection?.reasonIfProtected(address) {
                Console.error("slipsd: refusing to block \(ip): it \(reason) (use --force to block it anyway)")
                return 1
            }
            let duration = seconds ?? 3600
            let forced = force ? try NftablesBlocker(configuration: blocker.configuration, protection: nil) : blocker
            let entry = BlockEntry(address: address, timeout: .seconds(duration), reason: "manual", alertID: "manual")
            let outcome = try forced.block([entry]).first
            switch outcome?.status {
            case .blocked?: Console.out("blocked \(ip) for \(duration) s" + recordInStateFile(entry)); return 0
            case .refused(let why)?: Console.error("slipsd: refusing to block \(ip): \(why)"); return 1
            case .failed(let why)?: Console.error("slipsd: blocking \(ip) failed: \(why)"); return 1
            case nil: return 1
            }
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
    }

    /// `--unblock`: asks a running daemon first (within `ControlClient.defaultTimeout`: a stopped or hung
    /// daemon cannot hold the operator), then removes the element through netlink itself. A member of
    /// `daemon.control_group` cannot talk netlink (EPERM): when the daemon answered, its answer is the result.
    func unblock(ip address: IPAddress) -> Int32 {
        let ip = address.description
        let path = settings.daemon.controlSocket
        var daemon: ControlResponse?
        switch ControlClient.send(.unblock(address), to: path) {
        case .success(let response) where response.ok && response.removed != nil:
            daemon = response
        case .success(let response) where response.ok:
            break                                    // a detect-only daemon: the kernel's state is ours to change
        case .success(let response):
            Console.error("slipsd: the daemon on \(path) refused: \(response.error ?? "no reason given"); removing the element through netlink only")
        case .failure(.notRunning):
            break
        case .failure(let failure):
            Console.error("slipsd: the daemon on \(path) did not answer: \(failure); removing the element through netlink only")
        }
        let removedHere: Bool
        do {
            let blocker = try ResponseWiring.blocker(settings: settings)
            removedHere = try blocker.unblock(address)
        } catch {
            guard daemon != nil else {
                Console.error("slipsd: \(error)")
                return 1
            }
            removedHere = false                      // the daemon did it; this user may not talk netlink
        }
        if removedHere || daemon?.removed == true {
            let grace = daemon?.graceSeconds ?? settings.blocking.unblockGraceSeconds
            Console.out("unblocked \(ip)" + (daemon != nil ? " (the running daemon will not block it again for \(grace) s)" : ""))
        } else {
            Console.out("\(ip) was not blocked")
        }
        // A daemon that removed the block also removed it from the state file; otherwise this command does.
        if daemon == nil, let stateNote = removeFromStateFile(address) { Console.error("slipsd: \(stateNote)") }
        return 0
    }

    /// `--status`: asks the running daemon over the control socket and prints its state.
    func status(json: Bool) -> Int32 {
        let path = settings.daemon.controlSocket
        let response: ControlResponse
        switch ControlClient.send(.status, to: path) {
        case .success(let answer): response = answer
        case .failure(let failure):
            Console.error("slipsd: no status from \(path): \(failure)")
            return 1
        }
        guard response.ok, let status = response.status else {
            Console.error("slipsd: the daemon refused: \(response.error ?? "no status in the reply")")
            return 1
        }
        if json {
            Console.out(String(decoding: ControlProtocol.encode(status).dropLast(), as: UTF8.self))
            return 0
        }
        let q = status.nfqueue
        Console.out("""
        queues              \(status.queues) (\(status.mode), \(status.failOpen ? "fail-open" : "fail-closed"))
        blocked in process  \(status.blockedInProcess)
        packets             \(q.packets) (accepted \(q.accepted), dropped \(q.dropped))
        overruns            \(q.overruns)
        watchdog stalls     \(q.watchdogStalls) (releases \(q.watchdogReleases))
        queue errors        \(q.errors)
        dropped events      \(status.droppedDetectionEvents) (detection fell behind)
        reloads             \(status.reloads)
        flows               \(status.flowTables.liveFlows) of \(status.flowTables.capacity)\(status.flowTables.inEmergency ? " (EMERGENCY MODE)" : ""), emergency entries \(status.flowTables.emergencyEntries)
        """)
        return 0
    }

    /// Streams the blocked elements (`BlockedListing`), then the feed block summary; warns on standard error
    /// when a set changed while it was read.
    func listBlocked(json: Bool) -> Int32 {
        do {
            let blocker = try ResponseWiring.blocker(settings: settings)
            var listing = BlockedListing(json: json)
            let interrupted = try blocker.forEachBlocked { listing.add($0) }
            listing.finish(table: settings.blocking.table)
            if interrupted {
                Console.error("slipsd: the blocked sets changed while they were listed: entries may be missing or "
                              + "repeated; list again for a consistent view")
            }
            if !json { for line in feedBlockLines() { Console.out(line) } }
            return 0
        } catch let error as BlockerError where error.errno == ENOENT {
            Console.out(json ? "[]" : "no blocked addresses (table inet \(settings.blocking.table) does not exist)")
            return 0
        } catch {
            Console.error("slipsd: \(error)")
            return 1
        }
    }

    private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
}
