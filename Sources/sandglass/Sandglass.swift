import ArgumentParser

struct Sandglass: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandglass",
        abstract: "On-device latency profiling and benchmarking of MobileNeXt, MobileNetV2 and imported models.",
        version: "0.1.0",
        subcommands: [Models.self, Inspect.self, Bench.self, AB.self, Resolution.self, Run.self, Sweep.self, Export.self, Compare.self,
                      Report.self, Calibrate.self, TopologyCommand.self, Counters.self, SelfTestCommand.self, Worker.self, RemoteAgent.self, SimChild.self])
}

/// A failure while running a command: one line on stderr and this exit code.
struct CommandFailure: Error {
    let message: String
    let exitCode: Int32

    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// A problem with what the user asked for (exit code 2, like a bad flag).
    static func usage(_ message: String) -> CommandFailure { CommandFailure(message, exitCode: 2) }
}
