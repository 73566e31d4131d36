import Records

/// Uids for records whose file carries none (Argus, nfdump) or none that `FlowUID` keeps as text: a per-run random
/// base mixed with a counter, printed as Zeek-like `C…` ids.
struct FallbackUIDs {
    private var counter: UInt64 = 0
    private let base = UInt64.random(in: 1...UInt64.max >> 8) << 8

    /// The next uid of this run.
    mutating func next() -> FlowUID {
        counter &+= 1
        return FlowUID(base ^ (counter &* 0x9E37_79B9_7F4A_7C15))
    }
}
