import NetCore
import Records

/// The side-table entry of a flow an analyzer claimed: who talks (for the records), which analyzer, its state,
/// the reassembly of each TCP direction and what it costs the budget. Created at the claim, freed when the
/// flow ends. Each analyzer (`FlowAnalyzer`) adds its state field here; only the claiming analyzer's is used.
struct AnalyzedFlow {
    var uid: FlowUID
    /// The flow table slot the flow lives in (the side table's index).
    var slot: UInt32
    var application: ApplicationProtocol
    var transport: TransportProtocol
    var originator: IPAddress
    var originatorPort: UInt16
    var responder: IPAddress
    var responderPort: UInt16
    /// The analyzer is done with the flow (it finished, or gave up: its state was freed; the flow stays claimed
    /// so it is not probed again).
    var done = false
    /// The analyzer parsed at least one valid message: the flow is this protocol (Zeek's analyzer confirmation;
    /// sets the conn record's `service`).
    var confirmed = false
    /// The analyzer wants `expire` about once a second (it holds something that times out).
    var timerArmed = false
    /// The entry's index is in the framework's list of armed entries (set and cleared by `ApplicationAnalyzers`).
    var listedArmed = false
    /// No analyzer yet: the client's first segment was too short to tell its protocol; the stream's first
    /// bytes are held and probed again (`ProtocolProbe.deferredContent`). `application` is a placeholder.
    var probing = false
    /// Bytes charged for the entry itself.
    var baseCost: Int
    /// TCP only: the two directions' reassembly.
    var fromOriginator = StreamPrefix()
    var fromResponder = StreamPrefix()
    /// DNS state.
    var dns = DNSFlowState()
    /// HTTP state (allocated at the first bytes of a claimed flow).
    var http: HTTPConnection?
    /// SSH state.
    var ssh = SSHFlowState()
    /// SMTP state (allocated at the first bytes of a claimed flow).
    var smtp: SMTPSession?
    /// The flow table had proven the flow's TCP handshake by the packet being analysed (set by the framework
    /// before each call; the forgery rule of analyzers whose records name both hosts).
    var established = false
    /// TLS state.
    var tls = TLSFlowState()
    /// QUIC state.
    var quic = QUICFlowState()

    /// Bytes the entry is charged at its claim.
    static let entryCost = MemoryLayout<AnalyzedFlow>.stride + 64
}
