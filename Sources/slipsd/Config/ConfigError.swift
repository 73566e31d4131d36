/// A configuration problem, printed as one line naming the file, line:column, key path and what is wrong.
struct ConfigError: Error, CustomStringConvertible {
    var file: String
    var line: Int?
    var column: Int?
    var keyPath: String
    var reason: String

    var description: String {
        var place = file
        if let line { place += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        return keyPath.isEmpty ? "\(place): \(reason)" : "\(place): \(keyPath): \(reason)"
    }
}
