import NetCore
import Records
import Testing
@testable import Detect

/// `TLSCertificateDetector`: Slips' SELF_SIGNED_CERTIFICATE, INCOMPATIBLE_CN and CN_URL_MISMATCH from ssl and
/// x509 records, with the organizations' files standing in for Slips' organization data and whois.
@Suite("TLS certificates")
struct TLSCertificateTests {
    private typealias Kit = DetectorsTestKit

    private static func ssl(uid: UInt64 = 7, at seconds: Double = 1, server: String = "203.0.113.5",
                            sni: String = "login.example", _ fill: (inout SSLRecord) -> Void = { _ in }) -> ChannelMessage {
        var record = SSLRecord(time: Kit.at(seconds), uid: FlowUID(uid),
                               id: ConnectionID(originator: Kit.ip("10.0.0.5"), originatorPort: 43_000,
                                                responder: Kit.ip(server), responderPort: 443))
        record.serverName = sni
        fill(&record)
        return Kit.record(record)
    }

    private static func x509(uid: UInt64 = 7, file: String = "F1", subject: String, issuer: String) -> ChannelMessage {
        var record = X509Record(time: Kit.at(1), fileID: file)
        record.subject = subject
        record.issuer = issuer
        record.uid = FlowUID(uid)
        record.client = Kit.ip("10.0.0.5")
        return Kit.record(record)
    }

    private static func settings() -> DetectionSettings {
        var google = WhitelistOrganization(name: "google", rule: WhitelistRule())
        google.load(ranges: "142.250.0.0/15\n", domains: "google.com\ngoogleapis.com\n", asNumbers: nil)
        var facebook = WhitelistOrganization(name: "facebook", rule: WhitelistRule())
        facebook.load(ranges: "157.240.0.0/16\n", domains: "facebook.com\nfbcdn.net\n", asNumbers: nil)
        let empty = WhitelistOrganization(name: "apple", rule: WhitelistRule())     // no files: never judges
        var settings = DetectionSettings()
        settings.organizations = [google, facebook, empty]
        return settings
    }

    @Test func selfSignedStatusGivesSlipsPair() throws {
        let (detector, collected) = try Kit.make(TLSCertificateDetector.self)
        try detector.main(Self.ssl(uid: 1) { $0.validationStatus = "ok" })
        #expect(collected.of(.SELF_SIGNED_CERTIFICATE).isEmpty)
        try detector.main(Self.ssl(uid: 2) { $0.validationStatus = "self signed certificate in certificate chain" })
        let found = collected.of(.SELF_SIGNED_CERTIFICATE)
        try #require(found.count == 2)
        #expect(found.allSatisfy { $0.description == "Self-signed certificate. Destination IP: 203.0.113.5. SNI: login.example." })
        #expect(found.allSatisfy { $0.threatLevel == .low && $0.confidence == 0.5 && $0.uids == [FlowUID(2)] })
        #expect(found.map(\.attacker.direction) == [.SRC, .DST])
        #expect(found.map(\.profile.ip) == [Kit.ip("10.0.0.5"), Kit.ip("203.0.113.5")])
    }

    @Test func withoutAStatusACertificateIssuedByItselfIsSelfSigned() throws {
        let (detector, collected) = try Kit.make(TLSCertificateDetector.self)
        // Session first, then its certificate (as the packet analyzer may send them), then the other order.
        try detector.main(Self.ssl(uid: 3, sni: "") { $0.certificateChain = ["F3"] })
        try detector.main(Self.x509(uid: 3, file: "F3", subject: "CN=box.lan", issuer: "CN=box.lan"))
        try detector.main(Self.x509(uid: 4, file: "F4", subject: "CN=a.example", issuer: "CN=R3,O=Let's Encrypt"))
        try detector.main(Self.ssl(uid: 4) { $0.certificateChain = ["F4"] })
        let found = collected.of(.SELF_SIGNED_CERTIFICATE)
        #expect(found.count == 2 && found.allSatisfy { $0.uids == [FlowUID(3)] })
        #expect(found.first?.description == "Self-signed certificate. Destination IP: 203.0.113.5.")
    }

    @Test func certificateClaimingGoogleOnAnotherServerIsIncompatible() throws {
        let (detector, collected) = try Kit.make(TLSCertificateDetector.self, settings: Self.settings())
        // Google's address, or a Google SNI: compatible.
        try detector.main(Self.ssl(uid: 1, server: "142.250.1.1", sni: "evil.example") { $0.subject = "CN=*.google.com,O=Google LLC" })
        try detector.main(Self.ssl(uid: 2, sni: "mail.google.com") { $0.subject = "CN=*.google.com,O=Google LLC" })
        // An organization without files judges nothing.
        try detector.main(Self.ssl(uid: 3) { $0.subject = "CN=apple.com,O=Apple Inc." })
        #expect(collected.of(.INCOMPATIBLE_CN).isEmpty)
        try detector.main(Self.ssl(uid: 4) { $0.subject = "CN=*.google.com,O=Google LLC" })
        let found = collected.of(.INCOMPATIBLE_CN)
        try #require(found.count == 1)
        #expect(found[0].description == "Incompatible certificate CN to IP: 203.0.113.5 domain: login.example. "
                + "The certificate is claiming to belong to Google.")
        #expect(found[0].threatLevel == .medium && found[0].confidence == 0.9 && found[0].uids == [FlowUID(4)])
        #expect(found[0].victim?.value == "203.0.113.5")
    }

    @Test func subjectFromTheX509RecordIsJudgedToo() throws {
        let (detector, collected) = try Kit.make(TLSCertificateDetector.self, settings: Self.settings())
        try detector.main(Self.ssl(uid: 9) { $0.certificateChain = ["F9", "F10"] })
        try detector.main(Self.x509(uid: 9, file: "F10", subject: "CN=GTS CA,O=Google Trust Services", issuer: "CN=root"))
        #expect(collected.of(.INCOMPATIBLE_CN).isEmpty)                    // not the server's certificate
        try detector.main(Self.x509(uid: 9, file: "F9", subject: "CN=*.facebook.com,O=Facebook", issuer: "CN=DigiCert"))
        #expect(collected.of(.INCOMPATIBLE_CN).count == 1)
    }

    @Test func cnOfOneOrganizationForAnotherOrganizationsNameIsAMismatch() throws {
        let (detector, collected) = try Kit.make(TLSCertificateDetector.self, settings: Self.settings())
        // Matches (wildcard, prefix as re.match), same root, or an organization unknown for one side: no evidence.
        try detector.main(Self.ssl(uid: 1, server: "157.240.1.1", sni: "www.facebook.com") { $0.subject = "CN=*.facebook.com" })
        try detector.main(Self.ssl(uid: 2, server: "157.240.1.1", sni: "static.fbcdn.net.cdn") { $0.subject = "CN=static.fbcdn.net" })
        try detector.main(Self.ssl(uid: 3, server: "157.240.1.1", sni: "m.facebook.com") { $0.subject = "CN=web.facebook.com" })
        try detector.main(Self.ssl(uid: 4, server: "157.240.1.1", sni: "shop.example") { $0.subject = "CN=*.facebook.com" })
        #expect(collected.of(.CN_URL_MISMATCH).isEmpty)
        try detector.main(Self.ssl(uid: 5, server: "157.240.1.1", sni: "www.google.com") { $0.subject = "CN=*.facebook.com,O=Meta" })
        let found = collected.of(.CN_URL_MISMATCH)
        try #require(found.count == 2)
        #expect(found[0].description == "a CN mismatch. The common name (CN) '*.facebook.com' in the SSL certificate "
                + "for the domain 'www.google.com' does not match the server's domain.")
        #expect(found.map(\.threatLevel) == [.low, .medium] && found.allSatisfy { $0.confidence == 0.8 })
        #expect(found[1].attacker.iocType == .DOMAIN && found[1].attacker.value == "www.google.com")
        #expect(found[1].profile.ip == Kit.ip("157.240.1.1"))
    }

    @Test func slipsPatternAndRootHelpers() {
        #expect(TLSCertificateDetector.cnMatches("*.google.com", "a.b.google.com"))
        #expect(TLSCertificateDetector.cnMatches("example.com", "example.com.evil"))     // re.match: a prefix
        #expect(!TLSCertificateDetector.cnMatches("example.com", "www.example.com"))
        #expect(TLSCertificateDetector.rootDomain("a.b.example.co.uk") == "example.co.uk")
        #expect(TLSCertificateDetector.rootDomain("x.y.google.com") == "google.com")
        #expect(TLSCertificateDetector.commonName("O=X,CN=host.example,C=US") == "host.example")
        #expect(TLSCertificateDetector.commonName("O=X") == nil)
    }
}
