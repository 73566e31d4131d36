import NetCore
import Records
extension FlowTable {
    /// Emits everything due at the current clock: expired flows (per timeout class, oldest first), attempt
    /// reports, long-lived reports (skipped for a flow idle for more than half its inactivity timeout, whose final
    /// record is near); leaves emergency mode when occupancy allows; sets the next sweep time.
    ///
    /// Does at most `sweepBudget` expiries and reports; when that is not enough it leaves `backlog` set and the
    /// next sweep due at once, so the following packets' ticks take up the rest, a budget each.
    func sweep() {
        let now = clock
        var next = Int64.max
        var budget = sweepBudget
        var exhausted = false
        for classIndex in 0..<TimeoutClass.count where !exhausted {
            let timeout = timeouts[classIndex]
            while true {
                let head = lists[classIndex].head
                guard head != FlowSlot.none else { break }
                let due = slots[Int(head)].lastTime &+ timeout
                if due > now {
                    next = min(next, due)
                    break
                }
                if budget == 0 {
                    exhausted = true
                    break
                }
                budget -= 1
                finish(head, reason: .expired)
            }
        }
        for listIndex in Self.attemptList...Self.interimList where !exhausted {
            while true {
                let head = lists[listIndex].head
                guard head != FlowSlot.none else { break }
                let due = slots[Int(head)].nextReport
                if due > now {
                    next = min(next, due)
                    break
                }
                if budget == 0 {
                    exhausted = true
                    break
                }
                budget -= 1
                report(head, list: listIndex)
            }
        }
        if emergency && Double(liveCount) < configuration.emergencyExitRatio * Double(capacity) {
            exitEmergency()
        }
        backlog = exhausted
        nextCheck = exhausted ? now : min(next, nextCheck > now ? nextCheck : .max)
    }

    /// Emits the report due for a flow on report list `listIndex` and queues its next one: attempt reports
    /// always; long-lived reports only for flows not idle for more than half their timeout (an idle flow's final
    /// record is near and says the same).
    func report(_ index: UInt32, list listIndex: Int) {
        let slot = slots + Int(index)
        if listIndex == Self.attemptList
            || clock &- slot.pointee.lastTime < timeouts[Int(slot.pointee.timeoutClass.rawValue)] / 2 {
            emitInterim(index)
        }
        reportUnlink(index, list: listIndex)
        slot.pointee.clear(FlowSlot.Flag.inAttemptList)
        reportAppend(index, list: Self.interimList, due: clock &+ interimInterval)
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

    /// Evicts the least recently active flow (the oldest head of the timeout-class lists); one already due (a
    /// sweep backlog) is expired instead.
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
        if oldest != FlowSlot.none { finish(oldest, reason: isDue(oldest) ? .expired : .evicted) }
    }
}
