/// What a user agent says about the host's operating system and browser, read from the text itself — the fields
/// Slips fetches from useragentstring.com (`os_type`, `os_name`, `agent_name`), which slipsd does not ask online.
///
/// `osType` is the family (`Windows`, `Android`, `iOS`, `Macintosh`, `Linux`, `Chrome OS`), `osName` the token the
/// user agent names it by (`Windows NT 10.0`, `Android 14`, `iPhone OS 17_1`, `Mac OS X 10_15_7`, `Linux`), both
/// empty when the text names no system (curl, wget, most libraries; for those Slips' checks never fire either).
/// `browser` is `Safari` only for Safari itself (not Chrome, Edge, Firefox or Android's browsers, which also
/// write `Safari/…`); otherwise the first browser token found, or empty.
struct UserAgentInfo: Sendable, Equatable {
    var userAgent: String
    var osType = ""
    var osName = ""
    var browser = ""

    /// Reads `userAgent` (at most its first 512 bytes are examined).
    init(_ userAgent: String) {
        self.userAgent = userAgent
        let text = String(userAgent.prefix(512))
        let families: [(token: String, type: String)] = [
            ("Windows Phone", "Windows"), ("Windows NT", "Windows"), ("Windows", "Windows"), ("Android", "Android"),
            ("iPhone OS", "iOS"), ("iPad", "iOS"), ("CPU OS", "iOS"), ("Mac OS X", "Macintosh"),
            ("Macintosh", "Macintosh"), ("CrOS", "Chrome OS"), ("Linux", "Linux"),
        ]
        for family in families {
            guard let found = text.firstRange(of: family.token) else { continue }
            osType = family.type
            let rest = text[found.lowerBound...].prefix { $0 != ";" && $0 != ")" }
            osName = String(rest.prefix(40))
            break
        }
        if text.contains("Safari/"), !text.contains("Chrome/"), !text.contains("Chromium/"),
           !text.contains("Android"), !text.contains("CriOS"), !text.contains("FxiOS"), !text.contains("Edg") {
            browser = "Safari"
        } else {
            for name in ["Edg", "OPR", "Chrome", "Firefox", "MSIE", "Trident"] where text.contains(name + "/") {
                browser = name
                break
            }
        }
    }
}
