// The probe of the sim backend, inside the process that runs under callgrind: every step is one
// region, zeroed, collected and dumped to its own file labelled "step-<index>". Collection is
// off everywhere else (valgrind runs with --collect-atstart=no), so the dumps hold the steps only.
import CCallgrind
import SandglassEngine

public final class CallgrindProbe: ExecutionProbe {
    public init() {}

    /// Whether this process runs under valgrind, with a build that carries client requests.
    public static var isActive: Bool { sg_cg_compiled_in() != 0 && sg_cg_running() != 0 }
    /// Whether this build carries real client requests (valgrind headers were found).
    public static var isCompiledIn: Bool { sg_cg_compiled_in() != 0 }

    public func willRunStep(_ index: Int) {
        sg_cg_zero()
        sg_cg_start()
    }

    public func didRunStep(_ index: Int) {
        sg_cg_stop()
        sg_cg_dump(CallgrindDumps.label(step: index))
    }
}
