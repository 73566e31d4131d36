import NetCore

/// Zeek's `id` record (`id.orig_h`, `id.orig_p`, `id.resp_h`, `id.resp_p`) as the application-layer logs carry it.
/// The addresses are optional: some logs leave them unset (`-`), e.g. a weird.log line about a non-IP packet.
public struct ConnectionID: Sendable, Hashable {
    /// `id.orig_h`.
    public var originator: IPAddress?
    /// `id.orig_p`.
    public var originatorPort: UInt16
    /// `id.resp_h`.
    public var responder: IPAddress?
    /// `id.resp_p`.
    public var responderPort: UInt16

    /// Memberwise initializer.
    public init(originator: IPAddress?, originatorPort: UInt16 = 0, responder: IPAddress?, responderPort: UInt16 = 0) {
        self.originator = originator; self.originatorPort = originatorPort
        self.responder = responder; self.responderPort = responderPort
    }

    /// No addresses, no ports.
    public static let unset = ConnectionID(originator: nil, responder: nil)
}
