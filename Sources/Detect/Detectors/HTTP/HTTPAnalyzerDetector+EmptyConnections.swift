import NetCore
import Records

extension HTTPAnalyzerDetector {
    /// The hosts malware asks to check its Internet connection (Slips' list), also with `www.`.
    static let connectivityCheckHosts = ["bing.com", "google.com", "yandex.com", "yahoo.com", "duckduckgo.com", "gmail.com"]

    /// `EMPTY_CONNECTIONS`, threat medium, confidence 1: the `empty_connections_threshold`th (4th) request for `/`
    /// with an empty body to one of the connectivity-check hosts; `Multiple empty HTTP connections to <host>`, the
    /// uids of those requests. As in Slips the count is per host, not per client, and starts again after the
    /// evidence; the client of the last request is the attacker.
    func checkEmptyConnections(_ message: RecordMessage<HTTPRecord>, client: IPAddress) {
        let http = message.record
        guard http.uri == "/", http.requestBodyLength == 0, IPAddress(http.host) == nil,
              let host = Self.connectivityCheckHosts.first(where: { http.host == $0 || http.host == "www." + $0 })
        else { return }
        var uids = emptyConnections[host] ?? []
        uids.append(http.uid)
        guard uids.count >= settings.emptyConnectionsThreshold else { emptyConnections[host] = uids; return }
        emptyConnections[host] = []
        context.setEvidence(evidence(
            message, type: .EMPTY_CONNECTIONS, description: "Multiple empty HTTP connections to \(host)",
            client: client, server: nil, threatLevel: .medium, confidence: 1, uids: uids))
    }
}
