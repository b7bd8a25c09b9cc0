// Ctrl-C (SIGINT) and SIGTERM during a sweep: the handler only raises a flag; the runner
// checks it between inferences, finishes writing what is complete, records an interrupted
// end, and exits. A second signal exits at once (what is on disk is already fsync'ed).
import CSandglassSupport
#if canImport(Glibc)
import Glibc
#endif

public enum Interruption {
    private static let flag: UnsafeMutablePointer<UInt32> = {
        let p = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    public static var requested: Bool { sg_atomic_load(flag) != 0 }

    /// Installs the handlers (idempotent).
    public static func install() {
        _ = flag
        let handler: @convention(c) (Int32) -> Void = { sig in
            if sg_atomic_fetch_add(Interruption.flag, 1) > 0 { _exit(128 + sig) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// For tests.
    public static func reset() { sg_atomic_store(flag, 0) }
}
