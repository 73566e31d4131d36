import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread for one packet source, the NFQUEUE watchdog, the detection loop or the control socket:
/// not part of Swift's cooperative pool, so blocking receives never starve async code.
///
/// Threads inherit the creating thread's credentials and capabilities: create them after the privilege drop.
public final class CaptureThread: Sendable {
    private let handle: pthread_t
    private let joined = Atomic<Bool>(false)
    /// The thread's name (at most 15 bytes are kept by the kernel).
    public let name: String

    private final class Body: Sendable {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, run: @escaping @Sendable () -> Void) { self.name = name; self.run = run }
    }

    private init(handle: pthread_t, name: String) { self.handle = handle; self.name = name }

    /// Starts `body` on a new thread named `name`.
    /// - Parameter object: what the thread serves, for the error message ("NFQUEUE queue 0").
    /// - Throws: `CaptureError` when `pthread_create` fails.
    public static func spawn(name: String, object: String = "slipsd",
                             _ body: @escaping @Sendable () -> Void) throws(CaptureError) -> CaptureThread {
        let context = Unmanaged.passRetained(Body(name: String(name.prefix(15)), run: body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            nameCurrentThread(body.name)
            body.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw CaptureError.system("starting thread \(name) for", object: object, errno: rc)
        }
        return CaptureThread(handle: handle, name: name)
    }

    /// Waits for the thread to finish. Later calls return at once. Never call it from the thread itself.
    public func join() {
        guard !joined.exchange(true, ordering: .acquiringAndReleasing) else { return }
        pthread_join(handle, nil)
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
