/// The detectors listening on each channel, found by a linear scan of the few channels in use. Every record the
/// engine routes looks its channel up; a dictionary would hash the channel's name each time, while names made from
/// the same string constants compare equal by identity at once. Detection thread.
struct SubscriberTable<Subscriber> {
    private var channels: [Channel] = []
    private var lists: [[Subscriber]] = []

    /// Adds `subscriber` to `channel`'s listeners, after those already there.
    mutating func add(_ subscriber: Subscriber, to channel: Channel) {
        if let index = channels.firstIndex(of: channel) {
            lists[index].append(subscriber)
        } else {
            channels.append(channel)
            lists.append([subscriber])
        }
    }

    /// The listeners of `channel`, in subscription order; nil when none.
    @inline(__always)
    subscript(channel: Channel) -> [Subscriber]? {
        for index in channels.indices where channels[index] == channel { return lists[index] }
        return nil
    }
}
