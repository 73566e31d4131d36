import Blocker
import Capture
import Detect
import Synchronization

/// Turns alerts' block requests into kernel blocks. Runs on the detection thread (created after the privilege
/// drop, so it holds CAP_NET_ADMIN, which nfnetlink checks on the sending thread).
///
/// Order per request: skip IPs in their unblock grace period; refuse protected IPs (logged with the reason);
/// add the IP to the in-process blocked set first (packets already in the queue get a drop verdict at once);
/// then add the nftables element with its timeout, timing alert-to-kernel latency.
final class BlockExecutor: @unchecked Sendable {
    private let blocker: NftablesBlocker
    let blockedInProcess: BlockedAddresses
    let grace: UnblockGrace
    private let log: (String) -> Void

    init(blocker: NftablesBlocker, blockedInProcess: BlockedAddresses, grace: UnblockGrace, log: @escaping (String) -> Void) {
        self.blocker = blocker
        self.blockedInProcess = blockedInProcess
        self.grace = grace
        self.log = log
    }

    /// Blocks the request's IP. Detection thread.
    func execute(_ request: BlockRequest) {
        let started = MonotonicClock.now()
        if grace.isInGrace(request.ip) {
            log("not blocking \(request.ip): unblocked by an operator less than the grace period ago")
            return
        }
        guard let address = BlockAddress(request.ip.description) else { return }
        if let reason = blocker.protection?.reasonIfProtected(address) {
            log("refusing to block \(request.ip): it \(reason)")
            return
        }
        blockedInProcess.insert([request.ip])
        let entry = BlockEntry(address: address, timeout: .seconds(request.durationSeconds),
                               reason: request.reason, alertID: request.alertID)
        do {
            let outcome = try blocker.block([entry]).first
            let micros = Int((MonotonicClock.now() - started) * 1_000_000)
            switch outcome?.status {
            case .blocked?:
                log("blocked \(request.ip) for \(request.durationSeconds) s (alert \(request.alertID), \(request.reason)); alert to kernel element \(micros) µs")
            case .refused(let why)?:
                blockedInProcess.remove(request.ip)
                log("refusing to block \(request.ip): \(why)")
            case .failed(let why)?:
                log("blocking \(request.ip) failed: \(why)")
            case nil:
                log("blocking \(request.ip): no outcome")
            }
        } catch {
            log("blocking \(request.ip) failed: \(error)")
        }
    }
}

/// IPs an operator unblocked recently: the daemon does not block them again before the grace period ends.
final class UnblockGrace: Sendable {
    private let until = Mutex<[IPAddress: Double]>([:])
    let seconds: Double

    init(seconds: Int) { self.seconds = Double(seconds) }

    func start(_ ip: IPAddress) { until.withLock { $0[ip] = MonotonicClock.now() + seconds } }

    func isInGrace(_ ip: IPAddress) -> Bool {
        until.withLock { map in
            guard let end = map[ip] else { return false }
            if MonotonicClock.now() < end { return true }
            map[ip] = nil
            return false
        }
    }
}
