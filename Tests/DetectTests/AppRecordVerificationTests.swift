import NetCore
import Records
import Testing
@testable import Detect

/// Application records come before their flow's conn record (the analyzer writes them while the flow is open): an
/// SMTP, HTTP or TLS record the analyzer made on a proven flow (`handshake`) verifies the evidence on its uid by
/// itself, so an inline alert on it blocks fully; the same record without the mark (read from a log, or forged)
/// verifies nothing.
@Suite("App records on proven flows verify their evidence")
struct AppRecordVerificationTests {
    typealias Kit = DetectorsTestKit
    let client = Kit.ip("10.0.0.5"), server = Kit.ip("93.184.216.25")
    final class Box { var alerts: [Alert] = [] }

    /// One refused SMTP login (high × 1, above a 60 s window's threshold of 0.25), with no conn record yet.
    func smtpAlert(handshake: Bool) throws -> Alert {
        var settings = DetectionSettings()
        settings.timeWindowWidth = 60
        let engine = DetectionEngine(settings: settings, detectorTypes: [SMTPLoginDetector.self])
        let box = Box()
        engine.onAlert = { box.alerts.append($0) }
        var smtp = SMTPRecord(time: Kit.at(1), uid: FlowUID(7),
                              id: ConnectionID(originator: client, originatorPort: 40_000, responder: server, responderPort: 25))
        smtp.lastReply = "535 5.7.8 Error: authentication failed: bad smtp-auth user"
        smtp.handshake = handshake
        engine.consume(.record(.smtp(smtp)))
        return try #require(box.alerts.first)
    }

    @Test func smtpRecordOnAProvenFlowMakesAVerifiedAlert() throws {
        let alert = try smtpAlert(handshake: true)
        #expect(alert.evidence.map(\.type) == [.BAD_SMTP_LOGIN])
        #expect(alert.verified)
    }

    @Test func smtpRecordWithoutTheMarkAlertsUnverified() throws {
        #expect(try !smtpAlert(handshake: false).verified)
    }

    /// 150 self-signed sessions (0.1 each: the threshold of 15) with no conn record: the alert is verified exactly
    /// when the records are marked.
    @Test(arguments: [true, false])
    func tlsRecordsVerifyOnlyWhenMarked(handshake: Bool) throws {
        let engine = DetectionEngine(settings: DetectionSettings(), detectorTypes: [TLSCertificateDetector.self])
        let box = Box()
        engine.onAlert = { box.alerts.append($0) }
        for index in 0..<150 {
            var ssl = SSLRecord(time: Kit.at(Double(index)), uid: FlowUID(UInt64(index + 1)),
                                id: ConnectionID(originator: client, originatorPort: 40_000,
                                                 responder: Kit.ip("93.184.0.0", plus: index), responderPort: 443))
            ssl.validationStatus = "self signed certificate"
            ssl.handshake = handshake
            engine.consume(.record(.ssl(ssl)))
        }
        engine.finish()
        let alert = try #require(box.alerts.first { $0.profile.ip == client })
        #expect(alert.verified == handshake)
    }
}
