import Synchronization

/// One value handed from a worker thread to the main thread (a read result, a failure message).
final class Mailbox<Value: Sendable>: Sendable {
    private let slot = Mutex<Value?>(nil)
    init() {}
    func put(_ value: Value) { slot.withLock { $0 = value } }
    var value: Value? { slot.withLock { $0 } }
}
