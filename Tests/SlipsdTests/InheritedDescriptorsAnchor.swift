/// Keeps Foundation's `Process` working for a child that closes the descriptors it inherited, as slipsd does.
///
/// swift-corelibs-foundation learns that a child exited when the child's end of a socket pair it inherits gets
/// closed, and then waits for that pid *blocking*, on the one thread that reaps every child. slipsd closes that
/// end at start (it closes every inherited descriptor ≥ 3): Foundation then blocks in `waitpid` on the running
/// daemon and no other process of the test is ever reaped. `wrap` starts the command through `sh`, which first
/// leaves a small watcher in the background holding the inherited descriptors, then `exec`s the command (same
/// pid). The watcher exits — closing Foundation's socket — once the pid is a zombie or gone.
enum InheritedDescriptorsAnchor {
    /// The watcher and the `exec`, as `sh -c` arguments; `$0`… are the command.
    static let script = """
    pid=$$
    ( exec </dev/null >/dev/null 2>&1
      while read -r _ _ state _ < /proc/$pid/stat && [ "$state" != Z ]; do sleep 0.1; done ) &
    exec "$@"
    """

    /// A shell script that runs `commandLine` (shell syntax) through the watcher, for `sh -c`.
    static func shell(_ commandLine: String) -> String {
        script.replacingOccurrences(of: #"exec "$@""#, with: "exec \(commandLine)")
    }

    /// `command` (an executable and its arguments) run through the watcher.
    static func wrap(_ command: [String]) -> [String] {
        ["/bin/sh", "-c", script, "anchor"] + command
    }
}
