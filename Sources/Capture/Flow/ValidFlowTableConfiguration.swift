/// A `FlowTableConfiguration` that passed `validate()`: the only way to make one is `validated()`, so code that
/// holds one (a packet pipeline built on a packet thread) cannot meet an invalid configuration and needs no error
/// path. slipsd validates once, when the YAML is read.
public struct ValidFlowTableConfiguration: Sendable, Hashable {
    /// The checked configuration.
    public let configuration: FlowTableConfiguration

    fileprivate init(_ configuration: FlowTableConfiguration) { self.configuration = configuration }
}

extension FlowTableConfiguration {
    /// This configuration, checked.
    /// - Throws: `FlowTableConfigurationError` naming the first field out of range and why.
    public func validated() throws(FlowTableConfigurationError) -> ValidFlowTableConfiguration {
        try validate()
        return ValidFlowTableConfiguration(self)
    }
}
