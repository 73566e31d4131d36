import Glibc

/// Clock reads for the NFQUEUE threads (vDSO `clock_gettime`, no allocation).
enum NFQueueClock {
    /// `CLOCK_MONOTONIC` in nanoseconds: stall and batch-delay measurements.
    @inline(__always)
    static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// `CLOCK_REALTIME` as a `PacketTime` (microseconds since the epoch): packet timestamps and `idle(now:)`.
    @inline(__always)
    static func now() -> PacketTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return PacketTime(seconds: Int64(ts.tv_sec), microseconds: Int64(ts.tv_nsec) / 1000)
    }
}
