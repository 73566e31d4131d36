/// Zeek's names for TLS versions, cipher suites (IANA's registry names) and named groups, as ssl.log writes
/// them; values not in the tables are written as Zeek does for unknown ones (`unknown-<decimal>`).
enum TLSNames {
    /// `version`: `SSLv3`, `TLSv10` … `TLSv13`.
    static func version(_ value: UInt16) -> String {
        switch value {
        case 0x0002: "SSLv2"
        case 0x0300: "SSLv3"
        case 0x0301: "TLSv10"
        case 0x0302: "TLSv11"
        case 0x0303: "TLSv12"
        case 0x0304: "TLSv13"
        case 0xFEFF: "DTLSv10"
        case 0xFEFD: "DTLSv12"
        case 0xFEFC: "DTLSv13"
        default: "unknown-\(value)"
        }
    }

    /// `cipher`: the suite's IANA name.
    static func cipher(_ value: UInt16) -> String { ciphers[value] ?? "unknown-\(value)" }

    /// `curve`: the named group's name (RFC 8422, RFC 8446, the ML-KEM hybrids).
    static func group(_ value: UInt16) -> String {
        switch value {
        case 23: "secp256r1"
        case 24: "secp384r1"
        case 25: "secp521r1"
        case 29: "x25519"
        case 30: "x448"
        case 256: "ffdhe2048"
        case 257: "ffdhe3072"
        case 258: "ffdhe4096"
        case 0x11EC: "X25519MLKEM768"
        case 0x11EB: "SecP256r1MLKEM768"
        case 0x6399: "X25519Kyber768Draft00"
        default: "unknown-\(value)"
        }
    }

    static let ciphers: [UInt16: String] = [
        0x0004: "TLS_RSA_WITH_RC4_128_MD5", 0x0005: "TLS_RSA_WITH_RC4_128_SHA",
        0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 0x003C: "TLS_RSA_WITH_AES_128_CBC_SHA256",
        0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256", 0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        0x006B: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384", 0x1303: "TLS_CHACHA20_POLY1305_SHA256",
        0x1304: "TLS_AES_128_CCM_SHA256", 0x1305: "TLS_AES_128_CCM_8_SHA256", 0x5600: "TLS_FALLBACK_SCSV",
        0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xC011: "TLS_ECDHE_RSA_WITH_RC4_128_SHA", 0xC012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCAA: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ]
}
