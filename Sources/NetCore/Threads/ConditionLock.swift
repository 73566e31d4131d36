#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a mutex with one condition variable (pthread's, on the monotonic clock): threads that
/// need to wait for a change to the value sleep in the kernel instead of polling, and the thread that changes
/// it wakes them. Used where one side hands batches to another (`RecordHandoff`); one lock per batch, never per
/// packet.
///
/// The pthread objects live in their own allocation (they must not move) and are destroyed with the lock.
public final class ConditionLock<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var value: Value

    /// Guards `value`.
    public init(_ value: consuming Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the value locked.
    @inline(__always)
    public func withLock<Result: ~Copyable, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Locks, then waits until `ready` returns true for the value (woken by `broadcast`) or `timeoutMicroseconds`
    /// passed, and runs `body` with the value still locked; `body` learns whether `ready` held. When it has to
    /// sleep, `sleeping` runs first and `woke` after, both with the value locked (to tell the other side that
    /// someone waits).
    public func wait<Result: ~Copyable>(
        until ready: (borrowing Value) -> Bool, timeoutMicroseconds: Int,
        sleeping: (inout Value) -> Void = { _ in }, woke: (inout Value) -> Void = { _ in },
        then body: (inout Value, _ ready: Bool) -> Result
    ) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if !ready(value) && timeoutMicroseconds > 0 {
            var deadline = timespec()
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            let nanoseconds = Int(deadline.tv_nsec) + (timeoutMicroseconds % 1_000_000) * 1000
            deadline.tv_sec += timeoutMicroseconds / 1_000_000 + nanoseconds / 1_000_000_000
            deadline.tv_nsec = nanoseconds % 1_000_000_000
            sleeping(&value)
            while !ready(value) {
                if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
            }
            woke(&value)
        }
        let isReady = ready(value)
        return body(&value, isReady)
    }

    /// Wakes every thread waiting in `wait` (they re-check their condition). Call after changing the value,
    /// outside `withLock` or inside it.
    @inline(__always)
    public func broadcast() { pthread_cond_broadcast(condition) }
}
