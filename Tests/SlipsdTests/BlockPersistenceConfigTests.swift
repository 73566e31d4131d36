import Testing
@testable import slipsd

/// `blocking.state_file` and `blocking.protect_connected_subnets` as the configuration reader takes them.
@Suite("Block persistence configuration")
struct BlockPersistenceConfigTests {
    @Test("defaults: the state file under /var/lib/slipsd (not named), connected subnets not protected")
    func defaults() throws {
        let settings = try ConfigLoader.parse("", file: "t.yaml")
        #expect(settings.blocking.stateFile == "/var/lib/slipsd/blocks.json")
        #expect(!settings.blocking.stateFileWasSet)
        #expect(!settings.blocking.protectConnectedSubnets)
        #expect(!ResponseWiring.protectionSources(settings).connectedSubnets)
    }

    @Test("a path, none, and the switch are read; a relative path is refused with its line")
    func keys() throws {
        let set = try ConfigLoader.parse("blocking:\n  state_file: /srv/slipsd/b.json\n  protect_connected_subnets: true\n",
                                         file: "t.yaml")
        #expect(set.blocking.stateFile == "/srv/slipsd/b.json" && set.blocking.stateFileWasSet)
        #expect(ResponseWiring.protectionSources(set).connectedSubnets)
        let off = try ConfigLoader.parse("blocking:\n  state_file: none\n", file: "t.yaml")
        #expect(off.blocking.stateFile.isEmpty)
        #expect(ResponseWiring.journal(settings: off, daemonUser: nil, create: true).0 == nil)
        #expect { try ConfigLoader.parse("blocking:\n  state_file: blocks.json\n", file: "t.yaml") } throws: { error in
            "\(error)".contains("blocking.state_file") && "\(error)".contains("expected an absolute file path, or none")
                && "\(error)".contains("t.yaml:2")
        }
    }
}
