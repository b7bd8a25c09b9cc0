// `--targets boards.yaml`: the boards one sweep runs on, in parallel (each board measures its
// own points one at a time). Errors name file:line:column, like sweep specifications.
//
//   boards:
//     - name: pi5                        # recorded as `board` in every record
//       target: ssh://pi@pi5.local       # or an alias from ~/.ssh/config: ssh://pi5
//       pin: core:3                      # optional: pin every point on this board (none, core:N, kind:big, kind:little)
//       remote-dir: ~/.cache/sandglass   # optional: Sandglass's directory on the board
//       swift: /opt/swift/usr/bin/swift  # optional: the board's swift, when not on the ssh session's PATH
//       binary: build/aarch64/sandglass  # optional: deploy this prebuilt binary instead of building there
//       ssh-options: [IdentityFile=~/.ssh/pi5_key]   # optional: extra ssh -o options for this board
import Foundation
import SandglassHarness
import Yams

/// One board of a remote sweep.
public struct BoardSpec: Sendable {
    public var name: String
    public var target: SSHTarget
    public var pin: String?
    /// Sandglass's directory on the board (nil: --remote-dir, else ~/.cache/sandglass).
    public var remoteRoot: RemotePath?
    public var swift: String?
    public var binary: String?
    public var sshOptions: [String] = []

    public init(name: String, target: SSHTarget) {
        self.name = name
        self.target = target
    }
}

public enum BoardsFile {
    static let boardKeys = ["name", "target", "pin", "remote-dir", "swift", "binary", "ssh-options"]

    public static func load(_ path: String) throws -> [BoardSpec] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RemoteError(.usage, "cannot read the boards file \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    public static func parse(_ text: String, file: String = "<boards>") throws -> [BoardSpec] {
        func fail(_ node: Node?, _ message: String) -> RemoteError {
            let place = [file, node?.mark.map { String($0.line) }, node?.mark.map { String($0.column) }].compactMap { $0 }.joined(separator: ":")
            return RemoteError(.usage, "\(place): \(message)")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw RemoteError(.usage, "\(file): not valid YAML: \(error)".split(separator: "\n").joined(separator: " "))
        }
        guard let root, case let .mapping(top) = root, let list = top["boards"] else {
            throw fail(root, "a boards file is a mapping with a 'boards' list, e.g. boards: [{name: pi5, target: ssh://pi@pi5.local}]")
        }
        for (key, _) in top where key.string != "boards" {
            throw fail(key, "unknown key '\(key.string ?? "")': a boards file has only 'boards'")
        }
        guard case let .sequence(items) = list, !items.isEmpty else {
            throw fail(list, "'boards' must be a non-empty list of boards ({name: …, target: ssh://…})")
        }
        var boards: [BoardSpec] = []
        var names: Set<String> = []
        for item in items {
            guard case let .mapping(m) = item else { throw fail(item, "each board is a mapping with name and target") }
            var fields: [String: Node] = [:]
            for (keyNode, value) in m {
                let key = keyNode.string ?? ""
                guard boardKeys.contains(key) else {
                    throw fail(keyNode, "unknown key '\(key)'\(SweepSpecParser.suggest(key, boardKeys)); a board has \(boardKeys.joined(separator: ", "))")
                }
                fields[key] = value
            }
            func string(_ key: String) throws -> String? {
                guard let node = fields[key] else { return nil }
                guard let s = node.string, !s.isEmpty else { throw fail(node, "'\(key)' must be a non-empty text value") }
                return s
            }
            guard let name = try string("name") else { throw fail(item, "this board has no 'name'") }
            guard !names.contains(name) else { throw fail(fields["name"], "two boards are named '\(name)'; names must be unique (they label the records)") }
            names.insert(name)
            guard let targetText = try string("target") else { throw fail(item, "board '\(name)' has no 'target' (ssh://[user@]host[:port])") }
            var board: BoardSpec
            do { board = BoardSpec(name: name, target: try SSHTarget(parsing: targetText)) } catch let e as RemoteError {
                throw fail(fields["target"], e.message)
            }
            if let pin = try string("pin") {
                var probe = SweepPoint()
                do { try probe.set("pin", pin) } catch { throw fail(fields["pin"], "\(error)") }
                board.pin = pin
            }
            if let dir = try string("remote-dir") { board.remoteRoot = RemotePath(dir) }
            board.swift = try string("swift")
            if let binary = try string("binary") {
                let base = (file as NSString).deletingLastPathComponent
                board.binary = binary.hasPrefix("/") || base.isEmpty ? binary : base + "/" + binary
            }
            if let node = fields["ssh-options"] {
                let values: [Node]
                if case let .sequence(seq) = node { values = Array(seq) } else { values = [node] }
                for v in values {
                    guard let s = v.string else { throw fail(v, "ssh-options are KEY=VALUE texts") }
                    do { try SSHSettings.validateOption(s) } catch let e as RemoteError { throw fail(v, e.message) }
                    board.sshOptions.append(s)
                }
            }
            boards.append(board)
        }
        return boards
    }
}
