import Detect
import NetCore
import Records
import Testing

/// Slips' whitelist semantics: the direction and what-to-ignore columns, domains with their subdomains,
/// organizations from their files, and the engine dropping flows before detection.
@Suite("Whitelist semantics", .serialized)
struct WhitelistSemanticsTests {
    let client = IPAddress("10.0.0.7")!
    let server = IPAddress("93.184.216.34")!

    @Test func directionColumnDecidesWhichEndOfAFlowMatches() throws {
        let onlyAsSource = try Whitelist(parsing: "ip,10.0.0.7,src,flows", file: "w")
        #expect(onlyAsSource.ignoresFlow(source: client, destination: server))
        #expect(!onlyAsSource.ignoresFlow(source: server, destination: client), "src line matched the destination")
        let onlyAsDestination = try Whitelist(parsing: "ip,10.0.0.7,dst,flows", file: "w")
        #expect(onlyAsDestination.ignoresFlow(source: server, destination: client))
        #expect(!onlyAsDestination.ignoresFlow(source: client, destination: server))
        let both = try Whitelist(parsing: "ip,10.0.0.7,both,flows", file: "w")
        #expect(both.ignoresFlow(source: client, destination: server) && both.ignoresFlow(source: server, destination: client))
    }

    @Test func ignoreColumnSeparatesFlowsFromAlerts() throws {
        let alertsOnly = try Whitelist(parsing: "ip,10.0.0.7,both,alerts", file: "w")
        #expect(!alertsOnly.filtersFlows)
        #expect(!alertsOnly.ignoresFlow(source: client, destination: server), "an alerts line dropped a flow")
        #expect(alertsOnly.ignoresEvidence(party: "10.0.0.7", side: .SRC))
        let flowsOnly = try Whitelist(parsing: "ip,10.0.0.7,both,flows", file: "w")
        #expect(flowsOnly.ignoresFlow(source: client, destination: server))
        #expect(!flowsOnly.ignoresEvidence(party: "10.0.0.7", side: .SRC), "a flows line dropped evidence")
        let srcAlerts = try Whitelist(parsing: "ip,10.0.0.7,src,alerts", file: "w")
        #expect(srcAlerts.ignoresEvidence(party: "10.0.0.7", side: .SRC))
        #expect(!srcAlerts.ignoresEvidence(party: "10.0.0.7", side: .DST))
        // Whatever the columns, a listed host is never blocked.
        #expect(flowsOnly.contains(client) && srcAlerts.contains(client))
    }

    @Test func laterLineForTheSameValueWins() throws {
        let list = try Whitelist(parsing: "ip,10.0.0.7,both,flows\nip,10.0.0.7,dst,alerts\n", file: "w")
        #expect(!list.ignoresFlow(source: client, destination: server))
        #expect(list.ignoresEvidence(party: "10.0.0.7", side: .DST))
        #expect(!list.ignoresEvidence(party: "10.0.0.7", side: .SRC))
    }

    @Test func domainsCoverTheirSubdomainsOnly() throws {
        let list = try Whitelist(parsing: "domain,Example.COM.,dst,both", file: "w")
        #expect(list.domains == ["example.com"])
        #expect(list.ignoresFlow(domain: "www.example.com", side: .DST))
        #expect(list.ignoresFlow(domain: "example.com", side: .DST))
        #expect(!list.ignoresFlow(domain: "badexample.com", side: .DST), "a suffix that is not a parent domain matched")
        #expect(!list.ignoresFlow(domain: "www.example.com", side: .SRC))
        #expect(list.ignoresEvidence(party: "cdn.example.com", side: .DST))
    }

    @Test func slipsFileShapeLoads() throws {
        // The shape of Slips' config/whitelist.conf, written here: comments, header, quoted and spaced fields,
        // a commented-out entry, every type.
        let text = """
        ; user comment
        "IoCType","IoCValue","Direction","IgnoreType"
        ;ip,1.2.3.4,both,alerts
        #ip,5.6.7.8,both,alerts
        domain, lookup.example.net ,both,alerts
        ip,192.0.2.10,both,alerts
        "mac","b1:b1:b1:c1:c2:c3","both","alerts"
        organization,exampleorg,both,alerts
        ip,2001:db8::5,src,both
        """
        let list = try Whitelist(parsing: text, file: "whitelist.conf")
        #expect(list.addresses == [IPAddress("192.0.2.10")!, IPAddress("2001:db8::5")!])
        #expect(!list.contains(IPAddress("5.6.7.8")!), "a #-commented entry was loaded")
        #expect(list.domains == ["lookup.example.net"])
        #expect(list.macs.count == 1)
        #expect(list.organizations.map(\.name) == ["exampleorg"])
    }

    @Test func badColumnsAreErrorsWithTheLine() {
        #expect(throws: Whitelist.ParseError.self) { try Whitelist(parsing: "ip,10.0.0.1,sideways,alerts", file: "w") }
        do { _ = try Whitelist(parsing: "\n\nip,10.0.0.1,both,everything", file: "w.conf") } catch {
            #expect(error.description == "w.conf:3: unknown type of ignoring 'everything' (alerts, flows, both)")
        }
        #expect(throws: Whitelist.ParseError.self) { try Whitelist(parsing: "domain,not a domain,both,alerts", file: "w") }
        #expect(throws: Whitelist.ParseError.self) { try Whitelist(parsing: "organization,../etc,both,alerts", file: "w") }
    }

    @Test func organizationsComeFromTheirFiles() throws {
        var list = try Whitelist(parsing: "organization,ExampleOrg,dst,both\norganization,nofiles,both,both", file: "w")
        let files = ["exampleorg": "198.51.100.0/24\nnot-a-network\n2001:db8:100::/48\n",
                     "exampleorg_domains": "exampleorg.test\n", "exampleorg_asn": "as64500\n"]
        let lines = list.loadOrganizations { files[$0] }
        #expect(lines.count == 2)
        #expect(lines[0].contains("2 IP ranges, 1 domains, 1 AS numbers (1 lines that are not networks skipped)"), "\(lines)")
        #expect(lines[1].contains("matches nothing"))
        #expect(list.ignoresFlow(source: client, destination: IPAddress("198.51.100.9")!))
        #expect(!list.ignoresFlow(source: IPAddress("198.51.100.9")!, destination: client), "dst organization matched a source")
        #expect(list.ignoresFlow(domain: "api.exampleorg.test", side: .DST))
        #expect(list.contains(IPAddress("2001:db8:100::1")!))
        #expect(list.organizations.first?.asNumbers == ["AS64500"])
    }

    @Test func engineDropsFlowsOfFlowsLinesBeforeDetectionAndEvidenceOfAlertsLines() throws {
        ScriptedDetector.script = { m in
            [Evidence(type: .TEMPLATE_EVIDENCE, description: "test",
                      attacker: Attacker(direction: .SRC, value: m.flow.originator.description),
                      threatLevel: .high, confidence: 1, profile: m.profile, timeWindow: m.timeWindow,
                      uids: [m.flow.uid], timestamp: m.flow.startTime)]
        }
        defer { ScriptedDetector.script = { _ in [] } }
        var settings = DetectionSettings()
        settings.enabledModules.insert("scripted")
        let whitelist = try Whitelist(parsing: "ip,10.0.0.1,src,flows\nip,10.0.0.2,both,alerts\n", file: "w")
        let engine = DetectionEngine(settings: settings, detectorTypes: [ScriptedDetector.self], whitelist: whitelist)
        for (index, source) in ["10.0.0.1", "10.0.0.2", "10.0.0.3"].enumerated() {
            engine.consume(.record(.conn(engineFlow(source, UInt16(1000 + index), "8.8.8.8", 80, at: Double(index)))))
        }
        // 10.0.0.1 as destination: a src-only flows line does not drop it.
        engine.consume(.record(.conn(engineFlow("10.0.0.9", 2000, "10.0.0.1", 80, at: 4))))
        engine.finish()
        #expect(engine.whitelistedRecords == 1)
        #expect(engine.evidenceHandler.droppedWhitelisted == 1)          // 10.0.0.2's evidence
        #expect(engine.evidenceHandler.evidenceCount == 2)              // 10.0.0.3 and 10.0.0.9
    }
}
