/// Which side of a flow an indicator is.
public enum Direction: String, Sendable, Codable { case SRC, DST }

/// What kind of indicator of compromise a value is.
public enum IoCType: String, Sendable, Codable { case IP, DOMAIN, URL, MD5 }

/// The party an evidence blames.
public struct Attacker: Sendable, Hashable, Codable {
    public var direction: Direction
    public var iocType: IoCType
    public var value: String
    public init(direction: Direction, iocType: IoCType = .IP, value: String) {
        self.direction = direction; self.iocType = iocType; self.value = value
    }
}

/// The party an evidence says was targeted.
public struct Victim: Sendable, Hashable, Codable {
    public var direction: Direction
    public var iocType: IoCType
    public var value: String
    public init(direction: Direction, iocType: IoCType = .IP, value: String) {
        self.direction = direction; self.iocType = iocType; self.value = value
    }
}
