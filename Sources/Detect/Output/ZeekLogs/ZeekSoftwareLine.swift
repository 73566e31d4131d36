import Records

extension ZeekLogLine {
    /// A software record as a software.log line.
    mutating func software(_ r: SoftwareRecord) -> [UInt8] {
        begin()
        time("ts", r.time)
        address("host", r.host)
        if r.hostPort > 0 { count("host_p", UInt64(r.hostPort)) }
        string("software_type", r.softwareType)
        string("name", r.name)
        count("version.major", r.versionMajor)
        count("version.minor", r.versionMinor)
        string("unparsed_version", r.unparsedVersion)
        return end()
    }
}
