import XCTest
import SandglassRemote

final class BoardsFileTests: XCTestCase {
    func testParsesBoards() throws {
        let boards = try BoardsFile.parse("""
        boards:
          - name: pi5
            target: ssh://pi@pi5.local
            pin: core:3
            ssh-options: [IdentityFile=~/.ssh/pi5, ConnectTimeout=30]
          - name: armboard
            target: ssh://armboard
            remote-dir: /srv/sandglass
            swift: /opt/swift/usr/bin/swift
            binary: build/sandglass
        """, file: "/cfg/boards.yaml")
        XCTAssertEqual(boards.map(\.name), ["pi5", "armboard"])
        XCTAssertEqual(boards[0].target, SSHTarget(user: "pi", host: "pi5.local"))
        XCTAssertEqual(boards[0].pin, "core:3")
        XCTAssertEqual(boards[0].sshOptions, ["IdentityFile=~/.ssh/pi5", "ConnectTimeout=30"])
        XCTAssertNil(boards[0].remoteRoot)
        XCTAssertEqual(boards[1].remoteRoot, RemotePath("/srv/sandglass"))
        XCTAssertEqual(boards[1].binary, "/cfg/build/sandglass")
    }

    func testErrorsNameLineAndFix() {
        func message(_ text: String) -> String {
            do { _ = try BoardsFile.parse(text, file: "b.yaml"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("boards:\n  - name: a\n    traget: ssh://a\n").contains("b.yaml:3:"))
        XCTAssertTrue(message("boards:\n  - name: a\n    traget: ssh://a\n").contains("did you mean 'target'"))
        XCTAssertTrue(message("boards:\n  - {name: a, target: ssh://a}\n  - {name: a, target: ssh://b}\n").contains("two boards are named 'a'"))
        XCTAssertTrue(message("boards:\n  - {name: a, target: a.local}\n").contains("ssh://"))
        XCTAssertTrue(message("boards:\n  - {name: a, target: ssh://a, pin: 3}\n").contains("pin"))
        XCTAssertTrue(message("boards:\n  - {name: a, target: ssh://a, ssh-options: [BatchMode=no]}\n").contains("BatchMode"))
        XCTAssertTrue(message("boards: []\n").contains("non-empty"))
        XCTAssertTrue(message("- {name: a}\n").contains("'boards' list"))
    }
}
