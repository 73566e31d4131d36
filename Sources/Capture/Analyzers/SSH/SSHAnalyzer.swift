import NetCore
import Records

/// The SSH analyzer on the framework: reads each side's identification string (`SSH-2.0-…`, RFC 4253 §4.2)
/// from its reassembled bytes and emits, on a flow whose TCP handshake the flow table proved:
/// - one `SSHRecord` with the server's string (`fromServer`) as soon as it is read (servers speak first), so the
///   SSH detectors count a session while it runs;
/// - one `SoftwareRecord` per side (Zeek's software.log: `SSH::CLIENT` on the client, `SSH::SERVER` on the
///   server with its port);
/// - when the flow ends (or the analysis does), one `SSHRecord` with the client's string that stands for the
///   session as Zeek's ssh.log line: `log` carries the server's string, the protocol version and
///   `auth_success`. So each side still gives one SSH record, as before the framework.
///
/// `auth_success` follows Slips' success heuristic (`flow_alerts/ssh.py`): true when the bytes both sides sent
/// after their identification strings exceed `AnalyzerConfiguration.sshSuccessBytes` (Slips'
/// `ssh_succesful_detection_threshold`, 4290), false when the flow ended below it, unset when a side's string
/// was never seen. The analysis ends as soon as it is true (nothing more to learn).
///
/// Forgery: identification strings on a flow the flow table has not proven (`AnalyzedFlow.established`) are
/// read but never reported: a blind spoofer gets no record. Confined to its pipeline's thread.
final class SSHAnalyzer: FlowAnalyzer {
    let configuration: AnalyzerConfiguration
    var application: ApplicationProtocol { .ssh }

    init(configuration: AnalyzerConfiguration) { self.configuration = configuration }

    func stream(_ bytes: UnsafeRawBufferPointer, fromOriginator: Bool, time: PacketTime,
                flow: inout AnalyzedFlow, context: inout AnalyzerContext) -> Int {
        var used = 0
        while used < bytes.count {
            let known = fromOriginator ? flow.ssh.client != nil : flow.ssh.server != nil
            let stopped = fromOriginator ? flow.ssh.clientStopped : flow.ssh.serverStopped
            if known || stopped {
                if known { flow.ssh.bytesAfter &+= UInt64(bytes.count - used) }
                used = bytes.count
                break
            }
            let outcome: SSHIdentification.Outcome
            do throws(SSHMalformation) {
                outcome = try SSHIdentification.read(UnsafeRawBufferPointer(rebasing: bytes[used...]))
            } catch {
                giveUp(error, fromOriginator: fromOriginator, flow: &flow, context: &context)
                continue
            }
            switch outcome {
            case .incomplete:
                return used
            case .otherLine(let consumed):
                used += consumed
                let lines = fromOriginator ? flow.ssh.clientLines : flow.ssh.serverLines
                if fromOriginator { flow.ssh.clientLines = lines + 1 } else { flow.ssh.serverLines = lines + 1 }
                if lines + 1 > SSHIdentification.maxPrecedingLines {
                    giveUp(.tooManyLines, fromOriginator: fromOriginator, flow: &flow, context: &context)
                }
            case .found(let identification, let consumed):
                used += consumed
                flow.confirmed = true
                if fromOriginator { flow.ssh.client = identification } else { flow.ssh.server = identification }
                report(identification, fromServer: !fromOriginator, time: time, flow: &flow, context: &context)
            }
        }
        if flow.ssh.client != nil, flow.ssh.server != nil, flow.ssh.bytesAfter > configuration.sshSuccessBytes {
            flow.done = true
        }
        return used
    }

    func finish(_ flow: inout AnalyzedFlow, context: inout AnalyzerContext) {
        defer { flow.ssh = SSHFlowState() }
        guard flow.ssh.reported, let client = flow.ssh.client else { return }
        var details = SSHLogDetails()
        details.version = client.majorVersion
        details.serverBanner = flow.ssh.server?.line ?? ""
        if flow.ssh.server != nil {
            details.authSuccess = flow.ssh.bytesAfter > configuration.sshSuccessBytes
        }
        context.statistics.sshRecords &+= 1
        context.emit(.ssh(SSHRecord(time: flow.ssh.firstTime, uid: flow.uid, client: flow.originator,
                                    clientPort: flow.originatorPort, server: flow.responder,
                                    serverPort: flow.responderPort, banner: client.line,
                                    fromServer: false, handshake: true, log: details)))
    }

    /// A side's identification: reported (with its software) when the flow is proven, else counted only.
    private func report(_ identification: SSHIdentification, fromServer: Bool, time: PacketTime,
                        flow: inout AnalyzedFlow, context: inout AnalyzerContext) {
        guard flow.established else {
            context.statistics.sshIgnoredNotEstablished &+= 1
            return
        }
        context.statistics.sshBanners &+= 1
        if fromServer {
            context.emit(.ssh(SSHRecord(time: time, uid: flow.uid, client: flow.originator,
                                        clientPort: flow.originatorPort, server: flow.responder,
                                        serverPort: flow.responderPort, banner: identification.line,
                                        fromServer: true, handshake: true)))
        } else {
            flow.ssh.reported = true
            flow.ssh.firstTime = time
        }
        var software = SoftwareRecord(time: time, host: fromServer ? flow.responder : flow.originator)
        if fromServer { software.hostPort = flow.responderPort }
        software.softwareType = fromServer ? "SSH::SERVER" : "SSH::CLIENT"
        let parts = identification.softwareParts
        software.name = parts.name
        software.versionMajor = parts.major
        software.versionMinor = parts.minor
        software.unparsedVersion = identification.line
        context.emit(.software(software))
    }

    private func giveUp(_ malformation: SSHMalformation, fromOriginator: Bool, flow: inout AnalyzedFlow,
                        context: inout AnalyzerContext) {
        context.statistics.sshMalformations.count(malformation)
        if fromOriginator { flow.ssh.clientStopped = true } else { flow.ssh.serverStopped = true }
        if flow.ssh.clientStopped, flow.ssh.serverStopped { flow.done = true }
    }
}
