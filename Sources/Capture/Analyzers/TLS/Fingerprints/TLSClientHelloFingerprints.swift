/// JA3 and JA4 of one ClientHello, computed exactly as the TLS analyzer computes them (the same parser into a
/// reused `TLSClientHello`, the same fingerprinter), for callers outside the packet path: the benchmark's
/// ClientHello → JA3+JA4 loop (`slipsd-bench ja4`) and tools. One value per thread (it keeps scratch storage).
public struct TLSClientHelloFingerprints {
    private var hello = TLSClientHello()
    private var fingerprinter = TLSFingerprinter()

    /// A fingerprinter with empty scratch storage.
    public init() {}

    /// The fingerprints of a ClientHello.
    /// - Parameter body: the ClientHello's handshake body (the bytes after its 4-byte handshake header).
    /// - Returns: JA3 (MD5, lower-case hex) and JA4 (`t13d…_…_…`), or nil when `body` is not a well-formed
    ///   ClientHello (the analyzer would count a malformation).
    public mutating func fingerprints(_ body: UnsafeRawBufferPointer) -> (ja3: String, ja4: String)? {
        do throws(TLSMalformation) { try TLSHelloParser.parseClientHello(body, into: &hello) } catch { return nil }
        return (fingerprinter.ja3(hello), fingerprinter.ja4(hello, quic: false))
    }

    /// JA4 alone (the parser, then the JA4 fingerprinter), or nil when `body` is not a well-formed ClientHello.
    public mutating func ja4(_ body: UnsafeRawBufferPointer) -> String? {
        do throws(TLSMalformation) { try TLSHelloParser.parseClientHello(body, into: &hello) } catch { return nil }
        return fingerprinter.ja4(hello, quic: false)
    }
}
