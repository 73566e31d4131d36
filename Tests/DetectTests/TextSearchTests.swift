@testable import Detect
import Testing

/// The byte-level substring checks detectors run per record must find exactly what a plain search finds.
@Suite("Text search on bytes")
struct TextSearchTests {
    @Test("agrees with a plain byte search on random texts")
    func agreesWithPlainSearch() {
        let alphabet = Array("sShHlL.x")
        var generator = SystemRandomNumberGenerator()
        var disagreements: [String] = []
        var found = 0
        for _ in 0..<50_000 {
            let text = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            })
            let bytes = Array(text.utf8)
            let plain = bytes.count >= 3 && (0...(bytes.count - 3)).contains { Array(bytes[$0..<($0 + 3)]) == Array("ssh".utf8) }
            let folded = Array(text.lowercased().utf8)
            let plainFolded = folded.count >= 3
                && (0...(folded.count - 3)).contains { Array(folded[$0..<($0 + 3)]) == Array("ssh".utf8) }
            if TextSearch.contains(text, "ssh") != plain || TextSearch.containsIgnoringASCIICase(text, "ssh") != plainFolded {
                disagreements.append(text)
            }
            if plain { found += 1 }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        #expect(found > 0)
    }

    @Test("edges: empty text, needle at either end, longer needle, non-ASCII letters are not folded")
    func edges() {
        #expect(!TextSearch.contains("", "ssh"))
        #expect(TextSearch.contains("ssh", "ssh") && TextSearch.contains("gssapi,ssh", "ssh"))
        #expect(TextSearch.contains("sshd", "ssh") && !TextSearch.contains("ss", "ssh"))
        #expect(TextSearch.containsIgnoringASCIICase("www.PasteBin.com", "pastebin"))
        #expect(!TextSearch.containsIgnoringASCIICase("www.pastebın.com", "pastebin"))   // dotless ı is not i
        #expect(TextSearch.contains("NXDOMAIN", "NXDOMAIN") && !TextSearch.contains("nxdomain", "NXDOMAIN"))
    }
}
