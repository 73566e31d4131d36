/// What a ClientHello says, as JA3/JA4 and the ssl record need it; every list in wire order, GREASE values
/// kept (the fingerprints drop them). Filled by `TLSHelloParser.parseClientHello(_:into:)`, which reuses the
/// arrays' storage when one value is parsed into again. The server name and the ALPN protocols are kept as
/// bytes; their Strings are built only when asked for (the ssl record), not on every parse.
struct TLSClientHello: Equatable {
    /// `legacy_version` of the ClientHello body (0x0303 for TLS 1.2 and 1.3).
    var legacyVersion: UInt16 = 0
    /// `legacy_session_id` (TLS 1.2 resumption compares it with the server's).
    var sessionID: [UInt8] = []
    var ciphers: [UInt16] = []
    var extensions: [UInt16] = []
    /// supported_versions (43).
    var supportedVersions: [UInt16] = []
    /// server_name (0): the first host_name entry's bytes; empty when absent.
    var serverNameBytes: [UInt8] = []
    var hasServerName = false
    /// application_layer_protocol_negotiation (16): the protocols' bytes one after the other, and where each ends.
    var alpnBytes: [UInt8] = []
    var alpnEnds: [UInt16] = []
    /// supported_groups (10) and ec_point_formats (11).
    var groups: [UInt16] = []
    var pointFormats: [UInt8] = []
    /// signature_algorithms (13).
    var signatureAlgorithms: [UInt16] = []

    /// Empties every list, keeping its storage.
    mutating func reset() {
        legacyVersion = 0
        sessionID.removeAll(keepingCapacity: true)
        ciphers.removeAll(keepingCapacity: true)
        extensions.removeAll(keepingCapacity: true)
        supportedVersions.removeAll(keepingCapacity: true)
        serverNameBytes.removeAll(keepingCapacity: true)
        hasServerName = false
        alpnBytes.removeAll(keepingCapacity: true)
        alpnEnds.removeAll(keepingCapacity: true)
        groups.removeAll(keepingCapacity: true)
        pointFormats.removeAll(keepingCapacity: true)
        signatureAlgorithms.removeAll(keepingCapacity: true)
    }

    /// The first host_name of server_name as text; empty when absent.
    var serverName: String { String(decoding: serverNameBytes, as: UTF8.self) }

    /// The ALPN protocols as text, in wire order.
    var alpn: [String] {
        var names: [String] = []
        names.reserveCapacity(alpnEnds.count)
        var start = 0
        for end in alpnEnds {
            names.append(String(decoding: alpnBytes[start..<Int(end)], as: UTF8.self))
            start = Int(end)
        }
        return names
    }

    /// The first ALPN protocol's bytes (JA4's ALPN characters); empty when there is none.
    var firstALPN: ArraySlice<UInt8> { alpnEnds.first.map { alpnBytes[0..<Int($0)] } ?? [] }

    /// The version the client offers at most: the highest non-GREASE supported_versions entry, else
    /// `legacyVersion`.
    var highestVersion: UInt16 {
        var highest: UInt16?
        for version in supportedVersions where !TLSGrease.isGrease(version) {
            if let current = highest, current >= version { continue }
            highest = version
        }
        return highest ?? legacyVersion
    }
}

/// What a ServerHello says.
struct TLSServerHello: Equatable {
    var legacyVersion: UInt16 = 0
    var sessionID: [UInt8] = []
    var cipher: UInt16 = 0
    var extensions: [UInt16] = []
    /// supported_versions (43): the version a TLS 1.3 server selected.
    var selectedVersion: UInt16?
    /// application_layer_protocol_negotiation (16): the protocol the server chose.
    var alpn = ""
    /// key_share (51): the group of the server's share (TLS 1.3).
    var keyShareGroup: UInt16?

    /// The negotiated version: supported_versions when present, else `legacyVersion`.
    var version: UInt16 { selectedVersion ?? legacyVersion }
}

/// GREASE values (RFC 8701): 0x?A?A with both bytes equal, ignored by JA3 and JA4.
enum TLSGrease {
    @inline(__always)
    static func isGrease(_ value: UInt16) -> Bool { value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF }
}
