import NetCore

/// Bounds the QUIC Initial decryptions of one pipeline (HKDF, header protection and AES-128-GCM per packet) by
/// packet time: a token bucket of `perSecond` decryptions refilled continuously, holding at most `perSecond`
/// (one second's burst). A flood of Initials — each from a fresh forged source, so no per-flow bound helps —
/// then costs at most that many decryptions a second; the rest are skipped and counted
/// (`AnalyzerStatistics.quicInitialsSkipped`), their flows tracked without application fields. No allocation.
struct QUICDecryptionLimiter {
    /// Decryptions allowed per second of packet time (and the burst).
    let perSecond: Int64
    private var tokens: Int64
    private var last = PacketTime.zero

    init(perSecond: Int) {
        self.perSecond = Int64(max(1, perSecond))
        tokens = self.perSecond
    }

    /// Takes one decryption at `time`; false when the second's allowance is spent.
    mutating func take(at time: PacketTime) -> Bool {
        let elapsed = time.microseconds(since: last)
        if elapsed > 0 {
            // Refill in whole tokens; `last` advances only by the time the tokens paid for (no drift).
            let earned = elapsed >= 1_000_000 ? perSecond : elapsed * perSecond / 1_000_000
            if earned > 0 {
                tokens = min(perSecond, tokens + earned)
                last = earned == perSecond && elapsed >= 1_000_000
                    ? time : PacketTime(microseconds: last.microseconds + earned * 1_000_000 / perSecond)
            }
        } else if elapsed < 0 {
            last = time                                              // time went back (merged captures): restart
        }
        guard tokens > 0 else { return false }
        tokens -= 1
        return true
    }
}
