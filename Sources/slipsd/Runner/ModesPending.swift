/// `slipsd --inline`.
struct InlineDaemon {
    let options: Slipsd
    let settings: SlipsdSettings
    func run() -> Int32 { Console.error("slipsd: --inline is not wired yet"); return 1 }
}

/// `--block`, `--unblock`, `--list-blocked`.
struct OperatorCommands {
    let settings: SlipsdSettings
    func block(ip: String, seconds: Int?, force: Bool) -> Int32 { Console.error("slipsd: --block is not wired yet"); return 1 }
    func unblock(ip: String) -> Int32 { Console.error("slipsd: --unblock is not wired yet"); return 1 }
    func listBlocked(json: Bool) -> Int32 { Console.error("slipsd: --list-blocked is not wired yet"); return 1 }
}
