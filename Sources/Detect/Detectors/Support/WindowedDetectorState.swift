import NetCore
import Records

/// The part every windowed detector shares: per-(profile, time window) state in a `ProfileWindowTable`, one
/// `StateBudget` for all of it, `tw_closed` handling and the periodic sweep of windows that ended long ago.
/// Part of the detector kit.
///
/// A detector holds one and forwards to it:
///
/// ```swift
/// private var windows = WindowedDetectorState<MyWindow>(budgetUnits: 65_536)
///
/// init(context: DetectorContext) {
///     context.subscribe(.newFlow)
///     windows.subscribe(context)                       // tw_closed
/// }
/// func main(_ message: ChannelMessage) {
///     guard let flow = message.flow else { return windows.handle(message) }
///     let report = windows.withState(of: flow) { state in … }   // nil: window closed, too old or no budget
/// }
/// func tick(now: PacketTime) { windows.tick(now: now) }
/// ```
///
/// A window's state is dropped when its `tw_closed` arrives (later records of that window are then ignored, so
/// a flow whose final record comes late is not counted or reported again), when the profile's records move two
/// windows on, or by the sweep `grace` after the window ended (profiles that went silent, runs without
/// `tw_closed`). Confined to the detection thread.
public struct WindowedDetectorState<State: WindowState> {
    /// The budget all window states draw from.
    public let budget: StateBudget
    /// The per-(profile, window) states.
    public private(set) var windows: ProfileWindowTable<State>
    /// How long after its end a window's state may still receive late records (default five minutes).
    public let grace: Duration
    private var sweeps: SweepSchedule

    /// Creates an empty state.
    ///
    /// - Parameters:
    ///   - budgetUnits: the most units (states plus what they hold) kept over all profiles.
    ///   - grace: packet time after a window's end before the sweep drops it.
    ///   - sweepInterval: packet time between sweeps (default one minute).
    ///   - owner: the detector's name, for the log line when the budget runs out.
    ///   - evictionHeadroom: free units kept, when the budget is full, by dropping the states of sources without
    ///     evidence (at least what one record may reserve; see `ProfileWindowTable`); 0 (default) never drops.
    public init(budgetUnits: Int, grace: Duration = .seconds(300), sweepInterval: Duration = .seconds(60),
                owner: String = "a detector", evictionHeadroom: Int = 0) {
        budget = StateBudget(limit: budgetUnits, owner: owner)
        windows = ProfileWindowTable(budget: budget, evictionHeadroom: evictionHeadroom)
        self.grace = grace
        sweeps = SweepSchedule(interval: sweepInterval)
    }

    /// Subscribes `context` to `tw_closed`, which `handle(_:)` acts on. Call it from the detector's `init`.
    public func subscribe(_ context: DetectorContext) { context.subscribe(.twClosed) }

    /// Acts on the messages this state owns: `tw_closed` drops the closed window's state of that profile.
    /// Other messages are ignored.
    public mutating func handle(_ message: ChannelMessage) {
        if case .twClosed(let profile, let window) = message { windows.close(profile: profile, window: window) }
    }

    /// Drops the states of windows that ended more than `grace` ago, at most once per sweep interval of packet
    /// time. Call it from the detector's `tick(now:)`.
    public mutating func tick(now: PacketTime) {
        if sweeps.isDue(now: now) { windows.sweep(now: now, grace: grace) }
    }

    /// Runs `body` on the state of (`profile`, `window`), creating it if needed. Nil, without calling `body`,
    /// when the window is closed or older than the two kept, or the budget has no room for a new state.
    public mutating func withState<R>(_ profile: ProfileID, _ window: TimeWindow, _ body: (inout State) -> R) -> R? {
        windows.withState(profile, window, body)
    }

    /// Runs `body` on the state of the message's profile and window (see `withState(_:_:_:)`).
    public mutating func withState<Body, R>(of message: RecordMessage<Body>, _ body: (inout State) -> R) -> R? {
        windows.withState(message.profile, message.timeWindow, body)
    }
}
