import Blocker
import Capture
import NetCore

/// Answers control-socket requests for the inline daemon. Runs on the control thread.
enum InlineControl {
    static func handle(_ request: ControlProtocol.Request, queues: ClosedRange<UInt16>, controls: BlockControls?,
                       graceSeconds: Int, source: NFQueueSource) -> [String: Any] {
        switch request {
        case .status:
            let blocked = controls?.drops.active(now: WallClock.now()).count ?? 0
            return ["ok": true, "queues": "\(queues)", "blocked_in_process": blocked]
        case .unblock(let text):
            guard let ip = IPAddress(text) else { return ["ok": false, "error": "bad IP"] }
            guard let controls else { return ["ok": true, "removed": false, "grace_seconds": graceSeconds] }
            let removed = (try? controls.unblock(ip)) ?? false
            return ["ok": true, "removed": removed, "grace_seconds": graceSeconds]
        }
    }
}
