import NetCore
import Records
extension FlowTable {
    /// Emits everything due at the current clock: expired flows (per timeout class, oldest first), attempt
    /// reports, long-lived reports (skipped for a flow idle for more than half its inactivity timeout, whose final
    /// record is near); leaves emergency mode when occupancy allows; sets the next sweep time.
    func sweep() {
        let now = clock
        var next = Int64.max
        for classIndex in 0..<TimeoutClass.count {
            let timeout = timeouts[classIndex]
            while true {
                let head = lists[classIndex].head
                guard head != FlowSlot.none else { break }
                let due = slots[Int(head)].lastTime &+ timeout
                if due > now {
                    next = min(next, due)
                    break
                }
                finish(head, reason: .expired)
            }
        }
        for listIndex in Self.attemptList...Self.interimList {
            while true {
                let head = lists[listIndex].head
                guard head != FlowSlot.none else { break }
                let due = slots[Int(head)].nextReport
                if due > now {
                    next = min(next, due)
                    break
                }
                // Attempt reports always; long-lived reports only for flows not idle for more than half their
                // timeout (an idle flow's final record is near and says the same).
                let slot = slots + Int(head)
                if listIndex == Self.attemptList
                    || now &- slot.pointee.lastTime < timeouts[Int(slot.pointee.timeoutClass.rawValue)] / 2 {
                    emitInterim(head)
                }
                reportUnlink(head, list: listIndex)
                slots[Int(head)].clear(FlowSlot.Flag.inAttemptList)
                reportAppend(head, list: Self.interimList, due: now &+ interimInterval)
            }
        }
        if emergency && Double(liveCount) < configuration.emergencyExitRatio * Double(capacity) {
            exitEmergency()
        }
        nextCheck = min(next, nextCheck > now ? nextCheck : .max)
    }

    /// Enters emergency mode: shortens every timeout, tells `onEmergency`, and expires what the short timeouts
    /// make due.
    func enterEmergency() {
        emergency = true
        counters.emergencyEntries &+= 1
        let factor = configuration.emergencyTimeoutFactor
        for classIndex in 0..<TimeoutClass.count {
            timeouts[classIndex] = max(1, Int64((Double(normalTimeouts[classIndex]) * factor).rounded()))
        }
        onEmergency?(statistics)
        sweep()
    }

    /// Restores the configured timeouts.
    func exitEmergency() {
        emergency = false
        for classIndex in 0..<TimeoutClass.count {
            timeouts[classIndex] = normalTimeouts[classIndex]
        }
        onEmergencyEnd?(statistics)
    }

    /// Evicts the least recently active flow (the oldest head of the timeout-class lists).
    func evictOldest() {
        var oldest = FlowSlot.none
        var oldestTime = Int64.max
        for classIndex in 0..<TimeoutClass.count {
            let head = lists[classIndex].head
            if head != FlowSlot.none && slots[Int(head)].lastTime < oldestTime {
                oldest = head
                oldestTime = slots[Int(head)].lastTime
            }
        }
        if oldest != FlowSlot.none { finish(oldest, reason: .evicted) }
    }
}
