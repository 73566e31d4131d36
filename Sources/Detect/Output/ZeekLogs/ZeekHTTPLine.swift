import Records

extension ZeekLogLine {
    /// An http record as an http.log line.
    mutating func http(_ r: HTTPRecord) -> [UInt8] {
        begin()
        connection(time: r.time, uid: r.uid, id: r.id)
        if r.transDepth > 0 { count("trans_depth", r.transDepth) }
        string("method", r.method)
        string("host", r.host)
        string("uri", r.uri)
        string("referrer", r.referrer)
        string("version", r.version)
        string("user_agent", r.userAgent)
        count("request_body_len", r.requestBodyLength)
        count("response_body_len", r.responseBodyLength)
        if r.statusCode > 0 { count("status_code", UInt64(r.statusCode)) }
        string("status_msg", r.statusMessage)
        strings("resp_fuids", r.responseFUIDs)
        strings("resp_mime_types", r.responseMIMETypes)
        return end()
    }
}
