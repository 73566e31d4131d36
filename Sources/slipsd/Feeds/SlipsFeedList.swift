import Detect

/// One line of Slips' feed lists (`ti_files`, `ja3_feeds`, `ssl_feeds`: `URL, threat level, ['tag', …]`).
struct SlipsFeed: Sendable, Equatable {
    /// Where the feed is downloaded from (http or https).
    var url: String
    /// The feed's threat level (Slips: info, low, medium, high or critical).
    var threatLevel: ThreatLevel
    /// The feed's tags, e.g. `honeypot`.
    var tags: [String]
    /// Which list it came from: IoCs, JA3 fingerprints or SSL certificate hashes.
    var kind: SlipsFeedList.Kind

    /// The file name it is stored under in the download path: the URL's last path component, as Slips does
    /// (with `/`, NUL and a leading dot made harmless).
    var fileName: String {
        var path = Substring(url)
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<query] }
        let last = path.split(separator: "/").last.map(String.init) ?? "feed"
        let cleaned = String(last.map { $0 == "\0" ? "_" : $0 })
        return cleaned.hasPrefix(".") || cleaned.isEmpty ? "_" + cleaned : cleaned
    }
}

/// Reads Slips' feed list files: `#` and `;` start a comment line (Slips keeps `#`-commented feeds in its
/// database; slipsd neither downloads nor loads either); a line is `URL,level,tags` with the tags as a
/// Python-style list. A line that cannot be read is reported, not fatal.
enum SlipsFeedList {
    /// The three lists.
    enum Kind: String, Sendable {
        case iocs = "ti_files", ja3 = "ja3_feeds", ssl = "ssl_feeds"
        /// slipsd's addition: lists of JA4 fingerprints (`JA4, description` a line).
        case ja4 = "ja4_feeds"
    }

    /// The feeds of `text` and one message per line not read ("line 4: no URL").
    static func parse(_ text: String, kind: Kind) -> (feeds: [SlipsFeed], problems: [String]) {
        var feeds: [SlipsFeed] = []
        var problems: [String] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.feedTrimming(" \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let fields = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
            let url = fields[0].feedTrimming(" \t\"'")
            let lower = url.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count > 8 else {
                problems.append("line \(number + 1): '\(url.prefix(60))' is not an http or https URL")
                continue
            }
            var level = ThreatLevel.medium
            if fields.count > 1 {
                let text = fields[1].feedTrimming(" \t\"'").lowercased()
                guard let parsed = ThreatLevel(rawValue: text) else {
                    problems.append("line \(number + 1): unknown threat level '\(text.prefix(20))'")
                    continue
                }
                level = parsed
            }
            var tags: [String] = []
            if fields.count > 2 {
                tags = fields[2].split(whereSeparator: { "[],'\" ".contains($0) }).map(String.init)
            }
            feeds.append(SlipsFeed(url: url, threatLevel: level, tags: tags, kind: kind))
        }
        return (feeds, problems)
    }
}

extension Substring {
    /// The text without the given characters at either end.
    func feedTrimming(_ set: String) -> String {
        var view = self[...]
        while let first = view.first, set.contains(first) { view = view.dropFirst() }
        while let last = view.last, set.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
