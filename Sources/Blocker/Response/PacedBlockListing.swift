import NetCore
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's blocked elements listed at a bounded share of one core, for start-up learning
/// (`KernelBlockLearning`), which nothing waits for.
///
/// The kernel's dump of a hash set restarts its walk for every netlink datagram it fills and skips the elements
/// already sent, so listing n elements costs time quadratic in n, nearly all of it in the kernel on the calling
/// thread: `nft list set` of a timeout set took 1.2 s for 100 k elements, 3.5 s for 200 k and 13.6 s for 400 k
/// here, and slipsd's listing of 1 M blocks 86 s, during which that thread's core was not free for forwarding
/// (a flood forwarded at 0.42 of its rate). Paced, the listing sleeps after every batch of elements until it has
/// slept `pause` times the CPU time (user and system) it used so far, so it uses at most 1 / (1 + `pause`) of a core;
/// it takes longer, and the kernel drops the hosts meanwhile.
///
/// The dump is repeated until a pass finds nothing new (`BlockListingPasses`: a set that changes between two
/// datagrams of a dump shifts the kernel's walk, and a hash table resizing itself after a bulk insert does so
/// without flagging the dump), so learning a large set costs two passes; `interrupted` says the passes never
/// agreed, and learning stays best effort then (a missed element still drops its host in the kernel; its block is
/// just not in the state file or the in-process drop set).
public struct PacedBlockListing {
    /// Sleep per CPU time used: 3 keeps the listing at a quarter of one core at most.
    public static let defaultPause = 3.0
    /// Elements handled between two checks of the clock.
    static let batch = 512

    /// The elements (one per address and scope, sorted by address) and whether the passes never agreed.
    struct Result {
        var elements: [BlockedElement]
        var interrupted: Bool
        /// Dumps of the sets made (`BlockListingPasses`).
        var passes: Int
        /// CPU seconds the dumps used (its thread's, kernel included; the sort after them not), and seconds slept.
        var cpuSeconds: Double
        var sleptSeconds: Double
    }

    /// Lists `blocker`'s sets on a socket of its own, pacing as described (`pause` 0: no pacing).
    static func list(_ blocker: NftablesBlocker, pause: Double = defaultPause) throws -> Result {
        var passes = BlockListingPasses()
        var handled = 0
        let cpuStart = threadCPUSeconds()
        var slept = 0.0
        repeat {
            passes.beginPass(now: MonotonicClock.now())
            let interrupted = try blocker.forEachBlocked { element in
                passes.add(element)
                handled += 1
                guard pause > 0, handled % batch == 0 else { return }
                // Sleep until the time asleep is `pause` times all the CPU time used so far (self-correcting: work
                // between two checks, in the kernel or here, is all counted).
                let rest = (threadCPUSeconds() - cpuStart) * pause - slept
                guard rest > 0 else { return }
                var request = timespec(tv_sec: Int(rest), tv_nsec: Int((rest - rest.rounded(.down)) * 1e9))
                var remaining = timespec()
                while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
                slept += rest
            }
            guard passes.endPass(interrupted: interrupted) else { break }
        } while true
        let cpuSeconds = threadCPUSeconds() - cpuStart
        return Result(elements: passes.elements(now: MonotonicClock.now()), interrupted: !passes.settled,
                      passes: passes.passes, cpuSeconds: cpuSeconds, sleptSeconds: slept)
    }

    /// CPU time of the calling thread (user and system: the kernel's walk runs on it).
    private static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
