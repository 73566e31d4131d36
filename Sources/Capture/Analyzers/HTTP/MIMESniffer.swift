/// The MIME type of a body from its first bytes, by signatures as Zeek's files framework (libmagic-style
/// `file-magic` signatures) names them: executables, archives, documents, images, scripts, markup and text.
/// Looks at most at `sniffLength` bytes.
enum MIMESniffer {
    /// Bytes of a body kept for sniffing.
    static let sniffLength = 64

    /// The type, or nil when no signature matches (Zeek then logs no MIME type).
    static func mimeType(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        if starts(bytes, [0x4D, 0x5A]) { return "application/x-dosexec" }                  // MZ
        if starts(bytes, [0x7F, 0x45, 0x4C, 0x46]) { return "application/x-executable" }    // \x7fELF
        if starts(bytes, [0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }             // PK\3\4
        if starts(bytes, Array("%PDF-".utf8)) { return "application/pdf" }
        if starts(bytes, [0x1F, 0x8B]) { return "application/x-gzip" }
        if starts(bytes, [0x42, 0x5A, 0x68]) { return "application/x-bzip2" }               // BZh
        if starts(bytes, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return "application/x-xz" }
        if starts(bytes, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return "application/x-7z-compressed" }
        if starts(bytes, [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07]) { return "application/x-rar" }
        if starts(bytes, [0xCA, 0xFE, 0xBA, 0xBE]) { return "application/x-java-applet" }
        if starts(bytes, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts(bytes, Array("GIF8".utf8)) { return "image/gif" }
        if starts(bytes, [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(bytes, Array("#!".utf8)) { return script(bytes) }
        let text = trimmedLowercase(bytes)
        if starts(text, Array("<!doctype html".utf8)) || starts(text, Array("<html".utf8))
            || starts(text, Array("<head".utf8)) || starts(text, Array("<body".utf8)) { return "text/html" }
        if starts(text, Array("<?xml".utf8)) { return "application/xml" }
        if text.first == 0x7B || text.first == 0x5B, isText(bytes) { return "text/json" }
        return isText(bytes) ? "text/plain" : nil
    }

    /// `#!` lines: the interpreter names the script's type.
    private static func script(_ bytes: [UInt8]) -> String {
        let line = bytes.prefix { $0 != 0x0A }
        let text = String(decoding: line, as: UTF8.self)
        if text.contains("python") { return "text/x-python" }
        if text.contains("perl") { return "text/x-perl" }
        if text.contains("ruby") { return "text/x-ruby" }
        if text.contains("php") { return "text/x-php" }
        return "text/x-shellscript"
    }

    private static func starts(_ bytes: [UInt8], _ prefix: [UInt8]) -> Bool {
        bytes.count >= prefix.count && bytes.prefix(prefix.count).elementsEqual(prefix)
    }

    /// Leading whitespace dropped, ASCII letters lowered.
    private static func trimmedLowercase(_ bytes: [UInt8]) -> [UInt8] {
        bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
            .map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// Printable ASCII, whitespace or UTF-8 (no control bytes other than tab, CR, LF, FF).
    private static func isText(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0C }
    }
}
