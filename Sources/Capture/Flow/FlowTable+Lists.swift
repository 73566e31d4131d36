import NetCore
import Records
extension FlowTable {
    /// Appends a flow at the tail of a timeout-class list.
    @inline(__always)
    func timerAppend(_ index: UInt32, _ timeoutClass: TimeoutClass) {
        let list = lists + Int(timeoutClass.rawValue)
        let tail = list.pointee.tail
        slots[Int(index)].timerPrev = tail
        slots[Int(index)].timerNext = FlowSlot.none
        if tail == FlowSlot.none { list.pointee.head = index } else { slots[Int(tail)].timerNext = index }
        list.pointee.tail = index
    }

    /// Removes a flow from a timeout-class list.
    @inline(__always)
    func timerUnlink(_ index: UInt32, _ timeoutClass: TimeoutClass) {
        let list = lists + Int(timeoutClass.rawValue)
        let previous = slots[Int(index)].timerPrev
        let next = slots[Int(index)].timerNext
        if previous == FlowSlot.none { list.pointee.head = next } else { slots[Int(previous)].timerNext = next }
        if next == FlowSlot.none { list.pointee.tail = previous } else { slots[Int(next)].timerPrev = previous }
    }

    /// Appends a flow at the tail of a report list with its next report due at `due` (µs). Due times within a
    /// list are appended in non-decreasing order (clock + fixed delay), so the head is always the next one due.
    @inline(__always)
    func reportAppend(_ index: UInt32, list listIndex: Int, due: Int64) {
        let list = lists + listIndex
        let tail = list.pointee.tail
        slots[Int(index)].nextReport = due
        slots[Int(index)].reportPrev = tail
        slots[Int(index)].reportNext = FlowSlot.none
        if tail == FlowSlot.none { list.pointee.head = index } else { slots[Int(tail)].reportNext = index }
        list.pointee.tail = index
        if due < nextCheck { nextCheck = due }
    }

    /// Removes a flow from a report list.
    @inline(__always)
    func reportUnlink(_ index: UInt32, list listIndex: Int) {
        let list = lists + listIndex
        let previous = slots[Int(index)].reportPrev
        let next = slots[Int(index)].reportNext
        if previous == FlowSlot.none { list.pointee.head = next } else { slots[Int(previous)].reportNext = next }
        if next == FlowSlot.none { list.pointee.tail = previous } else { slots[Int(next)].reportPrev = previous }
    }
}
