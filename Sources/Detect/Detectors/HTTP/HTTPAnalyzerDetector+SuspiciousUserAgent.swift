import NetCore
import Records

extension HTTPAnalyzerDetector {
    /// The words Slips looks for, without case, in a user agent (`httpsend`, `chm_msdn`, `pb`, `jndi`,
    /// `tesseract`).
    static let suspiciousUserAgentWords: [StaticString] = ["httpsend", "chm_msdn", "pb", "jndi", "tesseract"]

    /// `SUSPICIOUS_USER_AGENT`, threat high, confidence 1: the user agent contains one of Slips' words;
    /// `Suspicious user-agent: <ua> while connecting to <host><uri>`, attacker the client, no victim (as Slips).
    func checkSuspiciousUserAgent(_ message: RecordMessage<HTTPRecord>, client: IPAddress) {
        let http = message.record
        guard Self.suspiciousUserAgentWords.contains(where: { TextSearch.containsIgnoringASCIICase(http.userAgent, $0) })
        else { return }
        context.setEvidence(evidence(
            message, type: .SUSPICIOUS_USER_AGENT,
            description: "Suspicious user-agent: \(http.userAgent) while connecting to \(http.host)\(http.uri)",
            client: client, server: nil, threatLevel: .high, confidence: 1, uids: [http.uid]))
    }
}
