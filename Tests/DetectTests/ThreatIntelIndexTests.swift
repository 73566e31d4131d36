import Detect
import NetCore
import Testing

/// Feed parsing in every shape real feeds use, and the index's lookups.
@Suite("Threat intelligence: feeds and index")
struct ThreatIntelIndexTests {
    let feed = IoCSource(feed: "test-feed", threatLevel: .medium, description: "from the feed")

    func load(_ text: String, _ format: FeedFormat, source: IoCSource? = nil) -> (ThreatIntelIndex, FeedParser.Result) {
        let parsed = FeedParser(format: format).parse(text)
        var index = ThreatIntelIndex()
        index.add(parsed.entries, from: source ?? feed)
        return (index, parsed)
    }

    @Test func plainListsHostsFilesSpamhausAndFireHOL() {
        let text = """
        # a plain list with comments
        203.0.113.7
        198.51.100.0/24 ; SBL123456
        2001:db8:bad::/48   # FireHOL-style comment
        0.0.0.0 ads.example.net
        127.0.0.1\tTracker.Example.ORG
        evil.example.com
        https://bad.example.com/payload.exe
        not a valid entry here
        """
        let (index, parsed) = load(text, .lines)
        #expect(parsed.entries.count == 7)
        #expect(parsed.rejectedLines == 1 && parsed.firstProblems.first?.line == 9)
        #expect(index.match(IPAddress("203.0.113.7")!)?.feed == "test-feed")
        #expect(index.match(IPAddress("203.0.113.8")!) == nil)
        #expect(index.match(IPAddress("198.51.100.200")!) != nil)
        #expect(index.match(IPAddress("2001:db8:bad:1::9")!) != nil)
        #expect(index.match(IPAddress("2001:db8:bae::1")!) == nil)
        #expect(index.match(domain: "ads.example.net")?.domain == "ads.example.net")
        #expect(index.match(domain: "TRACKER.example.org.")?.domain == "tracker.example.org")
        #expect(index.match(domain: "cdn.evil.example.com")?.domain == "evil.example.com", "parent domain not matched")
        #expect(index.match(domain: "notevil.example.com") == nil)
        #expect(index.match(domain: "example.com") == nil)
        #expect(index.match(url: "https://bad.example.com/payload.exe") != nil)
    }

    @Test func mostSpecificNetworkWinsAndMappedIPv6StaysApart() {
        var index = ThreatIntelIndex()
        index.add([FeedEntry(.network(CIDR("10.0.0.0/8")!))], from: IoCSource(feed: "wide", threatLevel: .low))
        index.add([FeedEntry(.network(CIDR("10.1.2.0/24")!))], from: IoCSource(feed: "narrow", threatLevel: .high))
        #expect(index.match(IPAddress("10.1.2.3")!)?.feed == "narrow")
        #expect(index.match(IPAddress("10.9.9.9")!)?.feed == "wide")
        #expect(index.match(IPAddress("::ffff:10.1.2.3")!) == nil, "an IPv4-mapped IPv6 source matched an IPv4 entry")
        #expect(index.count == 2)
    }

    @Test func slipsLocalFilesKeepTheirOwnLevelsAndDescriptions() {
        let iocs = """
        # IP/domain/ip range, Threat level, Description, Tag
        192.0.2.44,high,Test CC
        c2.example.test, critical, Test botnet
        198.51.100.0/25, low, Test scanners
        AS64500, medium, Test hosting
        192.0.2.45, severe, not a level
        """
        let (index, parsed) = load(iocs, .slipsLocalIoCs)
        #expect(parsed.entries.count == 4 && parsed.rejectedLines == 1)
        #expect(parsed.firstProblems.first?.reason.contains("unknown threat level 'severe'") == true)
        #expect(index.match(IPAddress("192.0.2.44")!) == IoCSource(feed: "test-feed", threatLevel: .high, description: "Test CC"))
        #expect(index.match(domain: "www.c2.example.test")?.source.threatLevel == .critical)
        #expect(index.match(asn: "as64500")?.description == "Test hosting")
        #expect(index.match(asNumber: 64500)?.description == "Test hosting")
        #expect(index.match(asNumber: 64501) == nil && index.match(asn: "AS") == nil && index.match(asn: "64500") == nil)
        let (_, tooLarge) = load("AS4294967296, high, beyond 32 bits\nAS4294967295, high, the largest\n", .slipsLocalIoCs)
        #expect(tooLarge.entries.count == 1 && tooLarge.rejectedLines == 1)

        let ja3 = "# JA3 hash,Threat level,Description\n6734f37431670b3ab4292b8f60f29984, high, Test malware\nshort,high,x\n"
        let (fingerprints, parsedJA3) = load(ja3, .slipsFingerprints(.ja3))
        #expect(parsedJA3.rejectedLines == 1)
        #expect(fingerprints.match(.ja3, "6734F37431670B3AB4292B8F60F29984")?.description == "Test malware")
        #expect(fingerprints.match(.ja3s, "6734f37431670b3ab4292b8f60f29984") == nil)
    }

    @Test func abuseCHStyleFingerprintListsAreDetectedByTheirHeader() {
        let ja3 = """
        ################################################################
        # ja3_md5,Firstseen,Lastseen,Listingreason
        1aa7bf8b97e540ca5edd75f7b8384bfa,2019-01-01 00:00:00,2019-02-01 00:00:00,TestBot
        """
        let format = FeedFormat.detect(firstLines: ja3.split(separator: "\n"))
        #expect(format == .fingerprintCSV(.ja3, column: 0, reasonColumn: 3))
        let (index, _) = load(ja3, format)
        #expect(index.match(.ja3, "1aa7bf8b97e540ca5edd75f7b8384bfa")?.description == "TestBot")
        let ssl = "# Listingdate,SHA1,Listingreason\n2020-01-01 00:00:00,0123456789abcdef0123456789abcdef01234567,TestC2 C&C\n"
        let sslFormat = FeedFormat.detect(firstLines: ssl.split(separator: "\n"))
        let (sslIndex, _) = load(ssl, sslFormat)
        #expect(sslIndex.match(.sslSHA1, "0123456789ABCDEF0123456789ABCDEF01234567")?.description == "TestC2 C&C")
        let ja4 = FeedParser(format: .slipsFingerprints(.ja4)).parse("t13d1516h2_8daaf6152771_02713d6af862,high,Test JA4\n")
        #expect(ja4.entries.count == 1)
    }

    @Test func aJA4ListIsDetectedByItsFirstDataLine() {
        let list = "# ja4, description\n\nt13d1516h2_8daaf6152771_02713d6af862,Test JA4 client\n"
        let format = FeedFormat.detect(firstLines: list.split(separator: "\n", omittingEmptySubsequences: false))
        #expect(format == .fingerprintCSV(.ja4, column: 0, reasonColumn: 1))
        let (index, parsed) = load(list, format)
        #expect(parsed.rejectedLines == 0)
        #expect(index.match(.ja4, "t13d1516h2_8daaf6152771_02713d6af862")?.description == "Test JA4 client")
        // An IP list whose comment mentions JA4 stays a list of lines.
        #expect(FeedFormat.detect(firstLines: ["# t13d1516h2_8daaf6152771_02713d6af862", "203.0.113.9"]) == .lines)
    }

    @Test func csvColumnsAndFalsePositiveHashes() {
        let csv = "\"id\",\"ip\",\"note\"\n\"1\",\"203.0.113.9\",\"x\"\n\"2\",\"bad value\",\"y\"\n"
        let (index, parsed) = load(csv, .csv(column: 1, header: true))
        #expect(parsed.entries.count == 1 && parsed.rejectedLines == 1)
        #expect(index.match(IPAddress("203.0.113.9")!) != nil)
        let fp = FeedParser(format: .knownFalsePositiveMD5).parse("# Description, MD5\nEmpty file, d41d8cd98f00b204e9800998ecf8427e\n")
        #expect(fp.entries == [FeedEntry(.fingerprint(.md5, "d41d8cd98f00b204e9800998ecf8427e"), description: "Empty file")])
    }

    @Test func laterDuplicateReplacesTheEarlierSource() {
        var index = ThreatIntelIndex()
        index.add([FeedEntry(.domain("dup.example"))], from: IoCSource(feed: "a", threatLevel: .low))
        index.add([FeedEntry(.domain("dup.example"))], from: IoCSource(feed: "b", threatLevel: .high))
        #expect(index.count == 1)
        #expect(index.match(domain: "dup.example")?.source.feed == "b")
    }

    @Test func byteFastPathForListsMatchesTheGeneralParser() {
        let text = """
        # header
        203.0.113.7
        198.51.100.0/24 ; SBL1
        2001:db8:bad::/48 # v6
        0.0.0.0 Ads.Example.NET
        127.0.0.1\ttracker.example.org.
        evil.example.com   // trailing
        https://bad.example.com/x
        300.1.1.1
        1.2.3.4/40
        not valid
        """
        let general = load(text, .lines)
        var fast = ThreatIntelIndex()
        let result = fast.add(feed: text, format: .lines, from: feed)
        #expect(result.rejectedLines == general.1.rejectedLines, "\(result.firstProblems) vs \(general.1.firstProblems)")
        #expect(fast.count == general.0.count)
        for ip in ["203.0.113.7", "198.51.100.9", "2001:db8:bad::1", "203.0.113.8", "1.2.3.4"] {
            #expect((fast.match(IPAddress(ip)!) != nil) == (general.0.match(IPAddress(ip)!) != nil), "\(ip)")
        }
        for name in ["ads.example.net", "x.tracker.example.org", "evil.example.com", "example.com", "not"] {
            #expect(fast.match(domain: name)?.domain == general.0.match(domain: name)?.domain, "\(name)")
        }
        #expect(fast.match(url: "https://bad.example.com/x") != nil)
        #expect(fast.match(domain: "ads.example.net") != nil)
    }

    @Test func asNumbersInListAndCSVFeedsOnBothParsers() {
        let text = """
        # AS numbers as remote feeds list them
        AS64500 # bad network
        as64501 ; lower case
        AS4294967296
        203.0.113.7
        """
        let general = load(text, .lines)
        #expect(general.1.rejectedLines == 1, "AS4294967296 is beyond 32 bits: \(general.1.firstProblems)")
        var fast = ThreatIntelIndex()
        let result = fast.add(feed: text, format: .lines, from: feed)
        #expect(result.rejectedLines == 1, "\(result.firstProblems)")
        for index in [general.0, fast] {
            #expect(index.asnCount == 2)
            #expect(index.match(asNumber: 64500)?.feed == "test-feed")
            #expect(index.match(asn: "AS64501") != nil)
            #expect(index.match(asNumber: 64502) == nil)
            #expect(index.match(IPAddress("203.0.113.7")!) != nil)
        }
        let csv = load("asn,name\nAS64510,bad hoster\n", .csv(column: 0, header: true))
        #expect(csv.0.match(asNumber: 64510) != nil && csv.1.rejectedLines == 0, "\(csv.1.firstProblems)")
    }
}
