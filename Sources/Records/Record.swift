import NetCore

/// What every record kind provides: the channel it travels on (Slips' channel names), its time and the profile
/// it belongs to. A record kind is one file declaring a type that conforms, plus one case in `Record`.
public protocol RecordBody: Sendable {
    /// The channel records of this kind are published on (`new_flow`, `new_arp`, `new_dns`, …).
    static var channel: String { get }
    /// When it happened (packet or log time): drives time windows.
    var time: PacketTime { get }
    /// The IP whose profile the record belongs to (the originator of a flow, the sender of an ARP packet).
    var profileIP: IPAddress { get }
    /// The latest time the record covers (a flow's last packet); drives packet time forward.
    var latestTime: PacketTime { get }
    /// The record wrapped in its `Record` case.
    var record: Record { get }
    /// The value of this kind inside `record`, or nil when it holds another kind.
    static func from(_ record: Record) -> Self?
}

extension RecordBody {
    /// Records of one instant: their own time.
    public var latestTime: PacketTime { time }
}

/// One record of any kind, as it crosses from the capture side to the detection thread. Values only; nothing
/// points into capture buffers.
public enum Record: Sendable {
    /// A connection (Zeek's conn.log).
    case conn(ConnRecord)
    /// An ARP packet.
    case arp(ARPRecord)
    // Application-layer kinds: boxed (`indirect`), so a `Record` stays the size of a conn record on the packet path
    // (an ssh record carries the rest of a Zeek ssh.log line; banners in packets are rare, once per direction).
    /// An SSH identification string (or a Zeek ssh.log line).
    indirect case ssh(SSHRecord)
    /// An HTTP request (http.log).
    indirect case http(HTTPRecord)
    /// A TLS session (ssl.log).
    indirect case ssl(SSLRecord)
    /// A certificate (x509.log).
    indirect case x509(X509Record)
    /// An SMTP transaction (smtp.log).
    indirect case smtp(SMTPRecord)
    /// A DHCP exchange (dhcp.log).
    indirect case dhcp(DHCPRecord)
    /// A Zeek notice (notice.log).
    indirect case notice(NoticeRecord)
    /// Software seen on a host (software.log).
    indirect case software(SoftwareRecord)
    /// A file seen on the wire (files.log).
    indirect case files(FilesRecord)
    /// A protocol oddity (weird.log).
    indirect case weird(WeirdRecord)
    /// A tunnel event (tunnel.log).
    indirect case tunnel(TunnelRecord)
    /// An FTP command (ftp.log).
    indirect case ftp(FTPRecord)
    /// A DNS query and its answer (dns.log, or the DNS analyzer).
    indirect case dns(DNSRecord)

    /// Calls `visitor` with the record's value at its concrete type (no existential box, no allocation).
    /// The one place that lists the cases.
    @inline(__always)
    public func accept<Visitor: RecordVisitor>(_ visitor: Visitor) -> Visitor.Result {
        switch self {
        case .conn(let value): visitor.visit(value)
        case .arp(let value): visitor.visit(value)
        case .ssh(let value): visitor.visit(value)
        case .http(let value): visitor.visit(value)
        case .ssl(let value): visitor.visit(value)
        case .x509(let value): visitor.visit(value)
        case .smtp(let value): visitor.visit(value)
        case .dhcp(let value): visitor.visit(value)
        case .notice(let value): visitor.visit(value)
        case .software(let value): visitor.visit(value)
        case .files(let value): visitor.visit(value)
        case .weird(let value): visitor.visit(value)
        case .tunnel(let value): visitor.visit(value)
        case .ftp(let value): visitor.visit(value)
        case .dns(let value): visitor.visit(value)
        }
    }

    /// The channel this record travels on, derived from its kind.
    public var channel: String { accept(ChannelOf()) }
    /// When it happened.
    public var time: PacketTime { accept(TimeOf()) }
    /// The profile it belongs to.
    public var profileIP: IPAddress { accept(ProfileOf()) }
    /// The latest time it covers.
    public var latestTime: PacketTime { accept(LatestTimeOf()) }
}

/// Works on a record at its concrete type; see `Record.accept(_:)`.
public protocol RecordVisitor {
    /// What the visit returns.
    associatedtype Result
    /// Called with the record's value.
    func visit<Body: RecordBody>(_ body: Body) -> Result
}

private struct ChannelOf: RecordVisitor {
    func visit<Body: RecordBody>(_ body: Body) -> String { Body.channel }
}

private struct TimeOf: RecordVisitor {
    func visit<Body: RecordBody>(_ body: Body) -> PacketTime { body.time }
}

private struct ProfileOf: RecordVisitor {
    func visit<Body: RecordBody>(_ body: Body) -> IPAddress { body.profileIP }
}

private struct LatestTimeOf: RecordVisitor {
    func visit<Body: RecordBody>(_ body: Body) -> PacketTime { body.latestTime }
}
