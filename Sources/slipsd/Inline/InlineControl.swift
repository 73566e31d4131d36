import Blocker
import Capture
import NetCore
import Records

/// Answers control-socket requests for the inline daemon. Runs on the control thread; everything it reads is
/// `Sendable` and shared with the packet and detection threads (counters, the drop set, the kernel sets).
struct InlineControl: Sendable {
    let queues: ClosedRange<UInt16>
    let controls: BlockControls?
    let graceSeconds: Int
    let source: NFQueueSource
    let handoff: RecordHandoff
    let reload: SettingsReload
    let flowTables: [FlowTableGauge]

    /// The response to `request`.
    func handle(_ request: ControlProtocol.Request) -> ControlResponse {
        switch request {
        case .status:
            return ControlResponse(ok: true, status: status())
        case .resync:
            guard let controls else { return ControlResponse(ok: true) }
            do {
                try controls.resyncDropsWithKernel()
                return ControlResponse(ok: true)
            } catch {
                return .failure("resynchronising the drop set: \(error)")
            }
        case .unblock(let ip):
            // Detect only: no blocker here, so no `removed`; the client changes the kernel itself.
            guard let controls else { return ControlResponse(ok: true) }
            do {
                let removed = try controls.unblock(ip)
                return ControlResponse(ok: true, removed: removed, graceSeconds: graceSeconds)
            } catch {
                return .failure("unblocking \(ip): \(error)")
            }
        }
    }

    /// The daemon's state now.
    func status() -> DaemonStatus {
        let counters = source.statistics
        let range = queues.lowerBound == queues.upperBound ? "\(queues.lowerBound)"
            : "\(queues.lowerBound):\(queues.upperBound)"
        return DaemonStatus(
            queues: range, mode: controls == nil ? "detect only" : "blocking",
            failOpen: source.configuration.failOpen,
            blockedInProcess: controls?.drops.active(now: WallClock.now()).count ?? 0,
            nfqueue: .init(packets: counters.packets, accepted: counters.accepts, dropped: counters.drops,
                           overruns: counters.receiveOverruns, watchdogStalls: counters.watchdogStalls,
                           watchdogReleases: counters.watchdogReleases, errors: counters.errors),
            droppedDetectionEvents: handoff.droppedEvents, reloads: reload.generation,
            flowTables: FlowTableGauge.summary(flowTables))
    }
}
