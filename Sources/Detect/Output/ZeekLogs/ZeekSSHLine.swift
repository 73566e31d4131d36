import Records

extension ZeekLogLine {
    /// A session ssh record (one with `log`) as an ssh.log line; nil for a per-side banner record, which Zeek's
    /// ssh.log has no line for.
    mutating func ssh(_ r: SSHRecord) -> [UInt8]? {
        guard let log = r.log else { return nil }
        begin()
        connection(time: r.time, uid: r.uid,
                   id: ConnectionID(originator: r.client, originatorPort: r.clientPort, responder: r.server,
                                    responderPort: r.serverPort))
        if log.version > 0 { count("version", log.version) }
        bool("auth_success", log.authSuccess)
        if log.authAttempts > 0 { count("auth_attempts", log.authAttempts) }
        string("client", r.banner)
        string("server", log.serverBanner)
        string("cipher_alg", log.cipherAlgorithm)
        string("mac_alg", log.macAlgorithm)
        string("compression_alg", log.compressionAlgorithm)
        string("kex_alg", log.keyExchangeAlgorithm)
        string("host_key_alg", log.hostKeyAlgorithm)
        string("host_key", log.hostKey)
        return end()
    }
}
