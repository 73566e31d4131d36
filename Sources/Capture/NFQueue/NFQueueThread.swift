import Glibc

/// A dedicated OS thread (pthread) for a packet loop or the watchdog; never a thread of the Swift concurrency pool.
///
/// Capabilities are per thread: create these threads only after the daemon has dropped privileges while keeping
/// CAP_NET_ADMIN, so they inherit it (nfnetlink checks it on every verdict the thread sends).
final class NFQueueThread: Sendable {
    private let handle: pthread_t
    /// The thread's name as shown by `top -H` / `/proc/<pid>/task/*/comm` (at most 15 bytes).
    let name: String

    private final class Body: Sendable {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, run: @escaping @Sendable () -> Void) { self.name = name; self.run = run }
    }

    private init(handle: pthread_t, name: String) { self.handle = handle; self.name = name }

    /// Starts `body` on a new thread (wraps `pthread_create`).
    /// - Throws: `CaptureError` when the thread cannot be created (EAGAIN: thread limit).
    static func spawn(name: String, object: String,
                      _ body: @escaping @Sendable () -> Void) throws(CaptureError) -> NFQueueThread {
        let context = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            NFQueueThread.nameCurrentThread(body.name)
            body.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw CaptureError.system("starting thread \(name) for", object: object, errno: rc)
        }
        return NFQueueThread(handle: handle, name: name)
    }

    /// Waits for the thread to finish (`pthread_join`). Call once, never from the thread itself.
    func join() {
        _ = pthread_join(handle, nil)
    }

    /// Whether the caller runs on this thread (`pthread_equal`).
    var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }

    /// Names the calling thread through `/proc/thread-self/comm` (Glibc's Swift module has no
    /// `pthread_setname_np`). Best effort.
    private static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var bytes = Array(name.utf8.prefix(15))
        bytes.append(0x0a)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}
