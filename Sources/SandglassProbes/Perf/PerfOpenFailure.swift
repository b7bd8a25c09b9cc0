// Why perf_event_open refused an event, in words a user can act on: what was wrong and how to
// fix it. The errno alone ("No such file or directory") tells nobody that the VM has no PMU.
#if canImport(Glibc)
import Glibc
#endif

public struct PerfOpenFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// ENOSYS: the system call does not exist here (qemu-user, seccomp, old kernel).
        case notImplemented
        /// EACCES/EPERM: perf_event_paranoid or missing capabilities forbid it.
        case notPermitted
        /// ENOENT/ENODEV/EOPNOTSUPP on a hardware event: no PMU, or it lacks the event.
        case unsupportedEvent
        /// EINVAL: the encoding is wrong for this PMU (raw code, umask, attribute bits).
        case invalidEncoding
        /// EBUSY/ENOSPC/E2BIG: counters taken or the group is too large.
        case busy
        /// EMFILE/ENFILE: out of file descriptors.
        case outOfDescriptors
        case other
    }

    public let kind: Kind
    public let errno: Int32
    public let event: String
    public let reason: String
    public let fix: String

    public var description: String { "\(event): \(reason); fix: \(fix)" }

    /// Classifies errno `code` from opening `event` (`isHardware`: a PMU event rather than a
    /// kernel software event). `paranoid` is /proc/sys/kernel/perf_event_paranoid, if readable.
    public static func classify(errno code: Int32, event: String, isHardware: Bool, paranoid: Int?,
                                cpuPMUPresent: Bool) -> PerfOpenFailure {
        let name = errnoName(code)
        switch code {
        case ENOSYS:
            return PerfOpenFailure(
                kind: .notImplemented, errno: code, event: event,
                reason: "perf_event_open is not implemented here (\(name): emulation such as qemu-user, a seccomp filter in a container, or a kernel without CONFIG_PERF_EVENTS)",
                fix: "run natively on the board, or allow perf_event_open in the container's seccomp profile; meanwhile use --counters software (thread CPU time and getrusage) or --counters sim")
        case EACCES, EPERM:
            let level = paranoid.map { "kernel.perf_event_paranoid = \($0)" } ?? "perf_event_paranoid or missing capabilities"
            return PerfOpenFailure(
                kind: .notPermitted, errno: code, event: event,
                reason: "not permitted (\(name)): \(level)",
                fix: "sudo sysctl kernel.perf_event_paranoid=1 (2 allows user-space-only counting of your own threads), or grant CAP_PERFMON to the binary (setcap cap_perfmon+ep)")
        case ENOENT, ENODEV, EOPNOTSUPP:
            if isHardware && !cpuPMUPresent {
                return PerfOpenFailure(
                    kind: .unsupportedEvent, errno: code, event: event,
                    reason: "no hardware PMU is exposed to this kernel (\(name); typical of virtual machines: dmesg says \"PMU not available due to virtualization\")",
                    fix: "run on bare metal, or enable the virtual PMU (KVM/QEMU: -cpu host,pmu=on; cloud: an instance type with PMU passthrough); meanwhile use --counters software or --counters sim")
            }
            return PerfOpenFailure(
                kind: .unsupportedEvent, errno: code, event: event,
                reason: "this CPU's PMU or kernel does not support the event (\(name))",
                fix: "check the name with 'sandglass counters', pick an event this PMU has (libpfm4's showevtinfo lists them), or use a generic one such as cycles or instructions")
        case EINVAL:
            return PerfOpenFailure(
                kind: .invalidEncoding, errno: code, event: event,
                reason: "the kernel rejected the encoding (\(name): wrong raw code, unit mask or attribute bits for this PMU)",
                fix: "check the event and its unit masks for this CPU (libpfm4's showevtinfo), or use the symbolic name instead of a raw code")
        case EBUSY, ENOSPC, E2BIG:
            return PerfOpenFailure(
                kind: .busy, errno: code, event: event,
                reason: "no counter free for the event (\(name): counters in use by another tool or the NMI watchdog, or too many events in one group)",
                fix: "list fewer events (at most 4 per group), stop other perf users, or disable the NMI watchdog (sysctl kernel.nmi_watchdog=0)")
        case EMFILE, ENFILE:
            return PerfOpenFailure(
                kind: .outOfDescriptors, errno: code, event: event,
                reason: "out of file descriptors (\(name))", fix: "raise the limit (ulimit -n)")
        default:
            return PerfOpenFailure(kind: .other, errno: code, event: event,
                                   reason: "perf_event_open failed (\(name))",
                                   fix: "see perf_event_open(2) for this errno")
        }
    }

    /// "ENOENT (No such file or directory)" for an errno value.
    public static func errnoName(_ code: Int32) -> String {
        let names: [Int32: String] = [
            ENOENT: "ENOENT", ENOSYS: "ENOSYS", EACCES: "EACCES", EPERM: "EPERM", ENODEV: "ENODEV",
            EOPNOTSUPP: "EOPNOTSUPP", EINVAL: "EINVAL", EBUSY: "EBUSY", ENOSPC: "ENOSPC", E2BIG: "E2BIG",
            EMFILE: "EMFILE", ENFILE: "ENFILE",
        ]
        let text = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return "\(names[code] ?? "errno \(code)") (\(text))"
    }
}
