#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread for one packet source (or the detection loop): not part of Swift's cooperative pool,
/// so blocking receives never starve async code.
///
/// Threads inherit the creating thread's credentials and capabilities: create them after the privilege drop.
public final class CaptureThread: @unchecked Sendable {
    private var thread: pthread_t
    private var joined = false

    private final class Start {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private init(thread: pthread_t) { self.thread = thread }

    /// Starts `body` on a new thread named `name` (at most 15 bytes are kept by the kernel).
    /// - Throws: `CaptureError` when `pthread_create` fails.
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws(CaptureError) -> CaptureThread {
        let threadName = String(name.prefix(15))
        let start = Unmanaged.passRetained(Start {
            setCurrentThreadName(threadName)
            body()
        }).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.body()
            return nil
        }, start)
        guard rc == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            throw CaptureError.system("starting thread", object: name, errno: rc)
        }
        return CaptureThread(thread: handle)
    }

    /// Waits for the thread to finish. Safe to call once; later calls return at once.
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }
}

/// Names the calling thread (shown by `top -H`, `ps -T`) through /proc: `pthread_setname_np` is not imported.
private func setCurrentThreadName(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    var bytes = Array(name.utf8)
    _ = write(fd, &bytes, bytes.count)
}
