import SystemPackage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread (a packet source, the NFQUEUE watchdog, the detection loop, the control socket): not
/// part of Swift's cooperative pool, so blocking receives never starve async code.
///
/// The body is a `sending` closure: whatever it captures moves to the new thread, and the compiler checks that
/// the creating thread keeps no access to it — no `@unchecked Sendable` box is needed to hand a non-`Sendable`
/// pipeline or loop over.
///
/// Threads inherit the creating thread's credentials and capabilities: create them after the privilege drop.
public final class OSThread: Sendable {
    private let handle: pthread_t
    private let joined = Atomic<Bool>(false)
    /// The thread's name (at most 15 bytes are kept by the kernel).
    public let name: String

    /// The body and name, owned by the new thread once `pthread_create` succeeded.
    private final class Start {
        let name: String
        var run: (() -> Void)?
        init(name: String, run: sending @escaping () -> Void) { self.name = name; self.run = run }
    }

    private init(handle: pthread_t, name: String) { self.handle = handle; self.name = name }

    /// Starts `body` on a new thread named `name`.
    /// - Parameters:
    ///   - name: the thread's name (`top -H`, `ps -T`).
    ///   - object: what the thread serves, for the error message ("NFQUEUE queue 0").
    ///   - body: the thread's work; it runs once, then the thread ends.
    /// - Throws: `SystemError` when `pthread_create` fails.
    public static func spawn(name: String, object: String = "slipsd",
                             _ body: sending @escaping () -> Void) throws(SystemError) -> OSThread {
        let start = Start(name: String(name.utf8.prefix(15).map { Character(Unicode.Scalar($0)) }), run: body)
        let context = Unmanaged.passRetained(start).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
            nameCurrentThread(start.name)
            let run = start.run
            start.run = nil
            run?()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            throw SystemError("starting thread \(name) for", object: object, errno: Errno(rawValue: rc))
        }
        return OSThread(handle: handle, name: name)
    }

    /// Waits for the thread to finish. Later calls return at once. Never call it from the thread itself.
    public func join() {
        guard !joined.exchange(true, ordering: .acquiringAndReleasing) else { return }
        pthread_join(handle, nil)
    }

    /// Lets the thread end on its own, its resources freed when it does (a one-shot background job nobody waits
    /// for). `join` must not be called afterwards (it returns at once).
    public func detach() {
        guard !joined.exchange(true, ordering: .acquiringAndReleasing) else { return }
        pthread_detach(handle)
    }

    /// True when called on this thread.
    public var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }
}

/// Names the calling thread (shown by `top -H`, `ps -T`) through /proc: `pthread_setname_np` is not imported.
private func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

/// A dedicated OS thread that hands a value back: the body takes its inputs by `sending` and the joiner gets what
/// it returned by `sending`, so a non-`Sendable` value (a pipeline, a detection loop) moves to the thread and
/// back to whoever joins, checked by the compiler on both sides. (The body runs once and is then destroyed, so
/// what it returns is no longer reachable from it.)
public final class OSThreadTask<Value>: Sendable {
    private let thread: OSThread
    private let result: ResultSlot

    /// Written once by the thread as its last act, read by `join` after `pthread_join` returned, which orders
    /// the two; nothing else touches it. That is the one unchecked hand-over, and the API around it is `sending`.
    private final class ResultSlot: @unchecked Sendable {
        var value: Value?
    }

    private init(thread: OSThread, result: ResultSlot) { self.thread = thread; self.result = result }

    /// Starts `body` on a new thread named `name`.
    /// - Throws: `SystemError` when `pthread_create` fails.
    public static func start(name: String, object: String = "slipsd",
                             _ body: sending @escaping () -> Value) throws(SystemError) -> OSThreadTask<Value> {
        let result = ResultSlot()
        let thread = try OSThread.spawn(name: name, object: object) {
            result.value = body()
        }
        return OSThreadTask(thread: thread, result: result)
    }

    /// Waits for the thread and returns what its body returned. Call once.
    public func join() -> sending Value? {
        thread.join()
        nonisolated(unsafe) let value = result.value
        result.value = nil
        return value
    }
}
