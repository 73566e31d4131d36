import NetCore
import Records

extension HTTPAnalyzerDetector {
    /// The response MIME types Slips takes for executables.
    static let executableMIMETypes: Set<String> = [
        "application/x-msdownload", "application/x-ms-dos-executable", "application/x-ms-exe", "application/x-exe",
        "application/x-winexe", "application/x-winhlp", "application/x-winhelp", "application/octet-stream",
        "application/x-dosexec",
    ]

    /// `EXECUTABLE_MIME_TYPE`, threat low, confidence 1: a response MIME type is one of Slips' executable types.
    /// Two evidence as Slips sets them, one with the client as attacker (SRC, its profile) and one with the server
    /// (DST, the server's profile), both `Download of an executable with MIME type: ['application/x-dosexec'] by
    /// <client> from <server>.` (the list as Python prints it).
    func checkExecutableMIMEType(_ message: RecordMessage<HTTPRecord>, client: IPAddress, server: IPAddress?) {
        let http = message.record
        guard http.responseMIMETypes.contains(where: Self.executableMIMETypes.contains) else { return }
        let types = "[" + http.responseMIMETypes.map { "'\($0)'" }.joined(separator: ", ") + "]"
        let serverText = server.map(\.description) ?? "-"
        let text = "Download of an executable with MIME type: \(types) by \(client) from \(serverText)."
        context.setEvidence(evidence(message, type: .EXECUTABLE_MIME_TYPE, description: text, client: client,
                                     server: nil, threatLevel: .low, confidence: 1, uids: [http.uid]))
        guard let server else { return }
        context.setEvidence(Evidence(
            type: .EXECUTABLE_MIME_TYPE, description: text,
            attacker: Attacker(direction: .DST, value: server.description),
            threatLevel: .low, confidence: 1, profile: ProfileID(ip: server), timeWindow: message.timeWindow,
            uids: [http.uid], timestamp: http.time,
            srcPort: http.id.originatorPort, dstPort: http.id.responderPort, proto: .tcp))
    }
}
