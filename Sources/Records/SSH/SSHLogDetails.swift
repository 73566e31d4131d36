/// What a line of Zeek's ssh.log says beyond the client's banner (Zeek's field in each comment): the outcome of
/// authentication (what Slips' SSH checks read) and the negotiated algorithms. Nil on records made from packets.
public struct SSHLogDetails: Sendable, Hashable {
    /// `version`: the SSH major version (1 or 2; 0 when unset).
    public var version: UInt64 = 0
    /// `auth_success` (nil when Zeek could not tell).
    public var authSuccess: Bool?
    /// `auth_attempts`.
    public var authAttempts: UInt64 = 0
    /// `server`: the server's banner.
    public var serverBanner: String = ""
    /// `cipher_alg`.
    public var cipherAlgorithm: String = ""
    /// `mac_alg`.
    public var macAlgorithm: String = ""
    /// `compression_alg`.
    public var compressionAlgorithm: String = ""
    /// `kex_alg`.
    public var keyExchangeAlgorithm: String = ""
    /// `host_key_alg`.
    public var hostKeyAlgorithm: String = ""
    /// `host_key`: the server key's fingerprint.
    public var hostKey: String = ""

    /// All fields unset.
    public init() {}
}
