#if canImport(Glibc)
import Glibc
#endif

/// Clock reads without allocation (vDSO `clock_gettime`).
public enum MonotonicClock {
    /// `CLOCK_MONOTONIC` in seconds.
    public static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// `CLOCK_MONOTONIC` in nanoseconds: stall and batch-delay measurements.
    @inline(__always)
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// Sleeps the calling thread (`nanosleep`; a signal may end it early).
    public static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        _ = nanosleep(&request, nil)
    }

    /// Sleeps the calling thread for `microseconds`.
    public static func sleep(microseconds: Int) {
        var request = timespec(tv_sec: microseconds / 1_000_000, tv_nsec: (microseconds % 1_000_000) * 1_000)
        _ = nanosleep(&request, nil)
    }
}

/// The wall clock as packet time.
public enum WallClock {
    /// `CLOCK_REALTIME` as a `PacketTime` (microseconds since the epoch).
    @inline(__always)
    public static func now() -> PacketTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return PacketTime(seconds: Int64(ts.tv_sec), microseconds: Int64(ts.tv_nsec) / 1000)
    }
}
