import NetCore

/// A QUIC flow's state in its `AnalyzedFlow`: one reference, the session created at the client's first Initial.
struct QUICFlowState {
    var session: QUICSession?
}

/// What the QUIC analyzer holds for one connection: the Initial keys (from the client's destination connection
/// id), each side's CRYPTO stream and the hellos read from them. Confined to its pipeline's thread.
final class QUICSession {
    var destination: [UInt8]
    var clientKeys: QUICInitialKeys
    var serverKeys: QUICInitialKeys
    var client = QUICCryptoStream()
    var server = QUICCryptoStream()
    var clientHello: TLSClientHello?
    var serverHello: TLSServerHello?
    /// When the ClientHello's first Initial was seen.
    var time: PacketTime
    /// Datagrams read from each side.
    var clientDatagrams = 0
    var serverDatagrams = 0
    /// Bytes charged to the budget.
    var charged: Int
    /// The connection id the server chose (the source id of its first Initial).
    var serverConnectionID: [UInt8]?
    /// The client used the server's connection id afterwards: it received the server's packets, so it is the
    /// address it claims (QUIC's return routability; a spoofed Initial never gets this far).
    var proven = false

    /// Bytes charged when a session is created.
    static let cost = 1_024

    init(destination: [UInt8], version: UInt32, time: PacketTime, charged: Int) {
        self.destination = destination
        (clientKeys, serverKeys) = QUICInitialKeys.derive(destination: destination, version: version)
        self.time = time
        self.charged = charged
    }
}
