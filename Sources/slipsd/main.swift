// slipsd's entry point: synchronous on purpose. The privilege drop must happen on the main thread before any
// other thread exists, so nothing here may `await` or touch Dispatch before the mode has set up and dropped.
#if canImport(Glibc)
import Glibc
#endif

// Before anything opens a file: descriptors above stderr left open by whoever started slipsd are closed.
InheritedDescriptors.closeAll()

// Hidden, for tests: `slipsd --privilege-self-test USER [--none]` drops to USER keeping CAP_NET_ADMIN (or
// nothing), verifies, prints the resulting state on one line, exits 0 if the drop verified.
if CommandLine.arguments.count >= 3 && CommandLine.arguments[1] == "--privilege-self-test" {
    let keep = CommandLine.arguments.contains("--none") ? [] : [PrivilegeDrop.netAdmin]
    do {
        let (user, state) = try PrivilegeDrop.drop(to: CommandLine.arguments[2], keep: keep)
        print("dropped to \(user): \(state)")
        exit(0)
    } catch {
        print("\(error)")
        exit(1)
    }
}
Slipsd.main()
