import Synchronization

/// A tiny lock for rare cross-thread hand-overs on the control path (never on the packet path).
final class PThreadLock: Sendable {
    private let mutex = Mutex(())
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        try mutex.withLock { _ in try body() }
    }
}
