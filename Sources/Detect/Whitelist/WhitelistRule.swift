/// Which end of a flow a whitelist line matches (Slips' `Direction` column): `src` only when the value is the
/// flow's source (an evidence's party with direction SRC), `dst` only as destination, `both` either way.
public enum WhitelistDirection: String, Sendable, CaseIterable {
    case src, dst, both
}

/// What a whitelist line makes slipsd ignore (Slips' `IgnoreType` column): `flows` are dropped before any
/// detector sees them, `alerts` are analysed but their evidence is dropped, `both` does both.
public enum WhitelistIgnore: String, Sendable, CaseIterable {
    case alerts, flows, both
}

/// What a whitelist check is about: a flow (record) before detection, or an evidence after it.
public enum WhitelistPurpose: Sendable {
    case flows, alerts
}

/// The direction and ignore columns of one whitelist line.
public struct WhitelistRule: Sendable, Hashable {
    public var direction: WhitelistDirection
    public var ignore: WhitelistIgnore

    /// A rule; Slips' defaults are `both`, `both`.
    public init(direction: WhitelistDirection = .both, ignore: WhitelistIgnore = .both) {
        self.direction = direction
        self.ignore = ignore
    }

    /// True when the rule covers a value on `side` of a flow for `purpose` (as Slips' matcher decides).
    public func applies(to side: Direction, for purpose: WhitelistPurpose) -> Bool {
        let ignored = ignore == .both || (purpose == .flows ? ignore == .flows : ignore == .alerts)
        guard ignored else { return false }
        switch direction {
        case .both: return true
        case .src: return side == .SRC
        case .dst: return side == .DST
        }
    }
}
