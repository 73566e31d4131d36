import NetCore
import Records

extension HTTPAnalyzerDetector {
    /// `PASTEBIN_DOWNLOAD`, threat info, confidence 1: a `GET` whose response body exceeds
    /// `pastebin_download_threshold` (700 bytes) from a server identified as pastebin; `A downloaded file from
    /// pastebin.com. Size: <bytes / 10^6> MBs`. Slips identifies the server by the names it knows for the IP
    /// (SNI, reverse DNS, organization); slipsd uses the request's Host header, which names the server the same way
    /// for HTTP.
    func checkPastebinDownload(_ message: RecordMessage<HTTPRecord>, client: IPAddress) {
        let http = message.record
        guard http.method == "GET", http.responseBodyLength > settings.pastebinDownloadThreshold,
              TextSearch.containsIgnoringASCIICase(http.host, "pastebin") else { return }
        let megabytes = Double(http.responseBodyLength) / 1_000_000
        context.setEvidence(evidence(
            message, type: .PASTEBIN_DOWNLOAD, description: "A downloaded file from pastebin.com. Size: \(megabytes) MBs",
            client: client, server: nil, threatLevel: .info, confidence: 1, uids: [http.uid]))
    }
}
