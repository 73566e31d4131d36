import NetCore

/// The human lines of `alerts/alerts.log`, in Slips' shape (`evidence_formatter.get_evidence_to_log`,
/// `evidence_handler_worker.log_alert`), written as bytes into a reusable buffer:
///
///     2023-11-14T22:13:20.123456+00:00 (TW 3): Src IP 10.0.0.1                  . Detected <description> threat level: medium.
///     2023-11-14T22:13:20.123456+00:00: Src IP 10.0.0.1                  . Generated an alert given enough evidence on timewindow 3. (real time 2026/12/02 05:10:00.123456+0000)
///
/// The time is the packet time of the (last) evidence, the profile's address is padded to 26 characters as Slips'
/// `{ip:26}` does, and the real time is the wall clock when the alert is written.
enum AlertLogLine {
    /// Slips' column width for the profile's address.
    static let addressWidth = 26

    /// The line of an evidence, with a newline.
    /// - Parameter profileText: `e.profile.ip` as text.
    /// - Parameter times: formatted seconds of packet times (the caller keeps it between lines).
    static func evidence(_ e: Evidence, profileText: String, times: inout ISO8601Cache, into bytes: inout [UInt8]) {
        times.write(e.timestamp, into: &bytes)
        bytes.append(contentsOf: " (TW ".utf8)
        TimeBytes.pad(e.timeWindow.number, 1, into: &bytes)
        bytes.append(contentsOf: "): ".utf8)
        profile(profileText, into: &bytes)
        bytes.append(contentsOf: "Detected ".utf8)
        appendLineSafe(e.description, into: &bytes)
        bytes.append(contentsOf: " threat level: ".utf8)
        bytes.append(contentsOf: e.threatLevel.rawValue.utf8)
        bytes.append(contentsOf: ".\n".utf8)
    }

    /// The line of an alert, with a newline.
    /// - Parameter realTime: the wall clock now.
    /// - Parameter times: formatted seconds of packet times (the caller keeps it between lines).
    static func alert(_ a: Alert, realTime: PacketTime, times: inout ISO8601Cache, into bytes: inout [UInt8]) {
        times.write(a.timestamp, into: &bytes)
        bytes.append(contentsOf: ": ".utf8)
        profile(a.profile.ip.description, into: &bytes)
        bytes.append(contentsOf: "Generated an alert given enough evidence on timewindow ".utf8)
        TimeBytes.pad(a.timeWindow.number, 1, into: &bytes)
        bytes.append(contentsOf: ". (real time ".utf8)
        TimeBytes.slipsAlertsFormat(realTime, into: &bytes)
        bytes.append(contentsOf: ")\n".utf8)
    }

    /// `Src IP <address padded to 26>. `
    private static func profile(_ address: String, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: "Src IP ".utf8)
        let start = bytes.count
        bytes.append(contentsOf: address.utf8)
        let written = bytes.count - start
        if written < addressWidth { bytes.append(contentsOf: repeatElement(0x20, count: addressWidth - written)) }
        bytes.append(contentsOf: ". ".utf8)
    }

    /// A description on one line: a newline or carriage return inside it becomes a space, so that one evidence stays
    /// one line of the log.
    private static func appendLineSafe(_ text: String, into bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: text.utf8)
        for index in start..<bytes.count where bytes[index] == 0x0A || bytes[index] == 0x0D { bytes[index] = 0x20 }
    }
}
