// Getting a board ready: connect (which opens the multiplexed master), run the health check,
// refuse early with the one error that applies (unreachable, key refused, host key, no or old
// swift, missing headers, disk full), then deploy. Shared by `sweep` and `bench`.
import Foundation

public final class BoardSession: @unchecked Sendable {
    public let board: BoardSpec
    public let connection: SSHConnection
    public private(set) var facts = BoardFacts()

    public init(board: BoardSpec, settings: SSHSettings, controlDirectory: ControlDirectory) throws {
        self.board = board
        var s = settings
        // A board's own options come first, so they win over the global ones.
        s.options = board.sshOptions + settings.options
        connection = try SSHConnection(target: board.target, settings: s, controlDirectory: controlDirectory)
    }

    /// Connects, checks the board and deploys; returns the absolute path of sandglass there.
    public func prepare(deployment: DeploymentRequest, progress: BoardsProgress) throws -> String {
        progress.state(board.name, "connecting to \(connection.destination)")
        var request = deployment
        if let binary = board.binary { request.binary = binary }
        if let swift = board.swift { request.swift = swift }
        let building = request.binary == nil
        let script = BoardFacts.script(root: board.remoteRoot ?? .defaultRoot, swift: building ? request.swift : nil,
                                       prerequisites: BuildPrerequisite.all)
        let out = try connection.check(script, timeout: 180, what: "the health check")
        facts = BoardFacts(parsing: out)
        if let problem = facts.problems(board: board.name, building: building, swiftName: request.swift,
                                        prerequisites: BuildPrerequisite.all) {
            throw problem
        }
        var summary = "\(facts.hostname): \(facts.os.isEmpty ? "Linux" : facts.os), \(facts.architecture), kernel \(facts.kernel)"
        if building, let v = facts.swiftVersionLine { summary += ", \(v.trimmingCharacters(in: .whitespaces))" }
        progress.log(board.name, summary + "; directory \(facts.root)")
        let deploy = Deployment(connection: connection, facts: facts, board: board.name, request: request,
                                status: { progress.state(self.board.name, $0) }, log: { progress.log(self.board.name, $0) })
        return try deploy.ensureBinary()
    }

    public func close() { connection.close() }
}
