import NetCore

/// A TLS flow's state in its `AnalyzedFlow`: one reference (8 bytes in every entry), the session created at the
/// client's first bytes and dropped when the analysis ends.
struct TLSFlowState {
    var session: TLSSession?
}

/// What the TLS analyzer learned and holds for one connection: each direction's record-layer position, the
/// hellos, the server's certificates and the bytes of a handshake message that spans records or segments.
/// Confined to its pipeline's thread.
final class TLSSession {
    /// One direction's record layer.
    final class Direction {
        /// Content type and body bytes still to come of the record being read (0: at a record header).
        var recordType: UInt8 = 0
        var recordRemaining = 0
        /// Records seen.
        var records = 0
        /// ChangeCipherSpec or application data seen: later handshake records are encrypted.
        var sawChangeCipherSpec = false
        var sawApplicationData = false
        var sawAlert = false
        /// Handshake messages seen (whole).
        var messages = 0
        /// A handshake message that spans records or segments (bounded, charged to the budget).
        var message: [UInt8] = []
        /// Bytes of an oversized handshake message still to skip.
        var skip = 0

        var encrypted: Bool { sawChangeCipherSpec || sawApplicationData }

        init() {}
    }

    let client = Direction()
    let server = Direction()
    /// When the ClientHello was seen (the ssl record's `ts`).
    var time: PacketTime
    var clientHello: TLSClientHello?
    var serverHello: TLSServerHello?
    var certificates: [TLSCertificateReader.Parsed] = []
    /// The ECDHE curve of a TLS ≤ 1.2 ServerKeyExchange.
    var keyExchangeCurve: UInt16?
    /// Bytes charged to the budget for the session and its held message.
    var charged: Int

    /// Bytes charged when a session is created (the object, the hellos' lists and certificates are bounded
    /// small values, charged as a whole).
    static let cost = 2_048

    init(time: PacketTime, charged: Int) {
        self.time = time
        self.charged = charged
    }

    /// The handshake is complete as far as can be seen in clear: the server answered and both sides switched
    /// to encrypted records (for TLS 1.3, the client's first encrypted record, as its ChangeCipherSpec is only
    /// a compatibility signal sent before it checked the server).
    var established: Bool {
        guard let serverHello, server.encrypted else { return false }
        return serverHello.version >= 0x0304 ? client.sawApplicationData : client.encrypted
    }
}
